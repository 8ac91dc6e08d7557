package dev.cerebrum.guard;

import org.junit.jupiter.api.Test;
import oshi.SystemInfo;
import oshi.software.os.OperatingSystem;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process-tree meter on real processes: this JVM and a busy grandchild it starts, whose own account of
 * its CPU time (the shell's {@code times}) is the oracle.
 */
class ProcessTreeCpuTest {
    // "0m1.880000s 0m0.010000s": the shell's own user and system time
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s");

    @Test
    void aBusyDescendant_countsAsOwnCpu_andKeepsItsTimeAfterItExits() throws Exception {
        OperatingSystem os = new SystemInfo().getOperatingSystem();
        ProcessTree tree = new ProcessTree(new ProcessTreeCpu(os, os.getProcessId()));

        // a grandchild (timeout -> sh) doing a fixed amount of work, about a second of one core
        Process p = new ProcessBuilder("timeout", "60", "sh", "-c",
                "i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); done; times").start();
        long highest = tree.before;
        String times;
        try {
            while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
                long now = tree.meter.totalMillis();
                assertTrue(now >= highest, "the total went down while the child ran: " + highest + " -> " + now);
                highest = now;
            }
            times = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        long afterExit = tree.meter.totalMillis();
        long childPart = afterExit - tree.before - tree.selfMillisSinceStart();
        long reported = reportedMillis(times);

        // then the child's CPU counts, and stays counted once it has gone
        assertTrue(afterExit >= highest, "the exited child's time was dropped: " + highest + " -> " + afterExit);
        assertTrue(reported >= 300, "the child did real work: " + reported + " ms");
        // what it used after the meter's last reading before it exited (at most one 100 ms poll) is lost
        assertTrue(childPart >= reported - 250 && childPart <= reported + 250,
                "the meter counted " + childPart + " ms of the child's " + reported + " ms");
    }

    /** The meter, with this JVM's own CPU time read apart so that the child's part can be told. */
    private static final class ProcessTree {
        final ProcessTreeCpu meter;
        final long before;
        final long selfBefore;

        ProcessTree(ProcessTreeCpu meter) {
            this.meter = meter;
            this.before = meter.totalMillis();
            this.selfBefore = selfCpuMillis();
        }

        long selfMillisSinceStart() {
            return selfCpuMillis() - selfBefore;
        }

        private static long selfCpuMillis() {
            return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toMillis();
        }
    }

    private static long reportedMillis(String times) {
        Matcher m = TIMES.matcher(times);
        assertTrue(m.find(), "the shell's times: " + times);
        double seconds = Long.parseLong(m.group(1)) * 60 + Double.parseDouble(m.group(2))
                + Long.parseLong(m.group(3)) * 60 + Double.parseDouble(m.group(4));
        return Math.round(seconds * 1000);
    }
}
