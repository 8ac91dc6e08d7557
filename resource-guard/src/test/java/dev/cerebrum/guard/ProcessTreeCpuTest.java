package dev.cerebrum.guard;

import org.junit.jupiter.api.Test;
import oshi.SystemInfo;
import oshi.software.os.OperatingSystem;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The process-tree meter on real processes: this JVM and a busy grandchild it starts. */
class ProcessTreeCpuTest {

    @Test
    void aBusyDescendant_countsAsOwnCpu_andKeepsItsTimeAfterItExits() throws Exception {
        OperatingSystem os = new SystemInfo().getOperatingSystem();
        ProcessTreeCpu tree = new ProcessTreeCpu(os, os.getProcessId());
        long treeBefore = tree.totalMillis();
        long selfBefore = selfCpuMillis();

        // a grandchild (timeout -> sh) keeping one core busy for 1.5 s
        Process p = new ProcessBuilder("timeout", "1.5", "sh", "-c", "while :; do :; done").start();
        long highest = treeBefore;
        try {
            while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                long now = tree.totalMillis();
                assertTrue(now >= highest, "the total went down while the child ran: " + highest + " -> " + now);
                highest = now;
            }
        } finally {
            p.destroyForcibly();
        }
        long afterExit = tree.totalMillis();
        long selfPart = selfCpuMillis() - selfBefore;

        // then the child's CPU counts, and stays counted once it has gone
        assertTrue(afterExit >= highest, "the exited child's time was dropped: " + highest + " -> " + afterExit);
        long childPart = afterExit - treeBefore - selfPart;
        assertTrue(childPart >= 700, "the busy child counted " + childPart + " ms (this JVM " + selfPart + " ms)");
    }

    private static long selfCpuMillis() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toMillis();
    }
}
