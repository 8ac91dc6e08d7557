package dev.cerebrum.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener of the real server process comes back after an accept failed for want of file descriptors. The
 * connection limits keep connections from exhausting them, so the test takes them away from outside: it lowers
 * the running process's open-files limit below what it holds ({@code prlimit}), the way a descriptor leak
 * elsewhere in the process would, then gives them back. The connection that arrives meanwhile sends its request
 * slowly, so that a request thread waits for I/O while no descriptor is left: the JDK sets up its poller for
 * virtual threads at the first such wait, and would fail to for good (every later request closed unanswered)
 * had the server not set it up at its start.
 */
class ListenerRecoveryIT {
    @TempDir
    Path dir;

    @Test
    void aListenerEndedByAFailedAccept_isStartedAgain_inTheSameProcess() throws Exception {
        Files.writeString(dir.resolve(".env"), """
                CEREBRUM_API_KEY=%s
                CEREBRUM_VPS_PORT=0
                MAX_CPU_PERCENT=100
                CEREBRUM_MIN_FREE_RAM_MB=0
                """.formatted(TestServer.KEY));
        Process process = LifecycleIT.launch(dir, Map.of());
        try {
            int port = listeningPort(process);
            long pid = process.pid();
            assertEquals(200, health(port));
            String soft = softLimit(pid);

            // given a process that cannot open one more descriptor: a new one gets the lowest free number, which
            // must be under the limit, so the limit goes well below the numbers in use, not just their count
            prlimit(pid, Math.min(20, openDescriptors(pid) / 2) + ":");
            // when a connection arrives, Helidon's accept fails and it ends the listener; the connection sends its
            // request in two parts, so its request thread waits for bytes while no descriptor is left
            health(port, Duration.ofMillis(200));
            Workers.await("Helidon ended the listener", 10_000,
                    () -> log().contains("this server socket is terminating now"));
            Thread.sleep(1_500);
            prlimit(pid, soft + ":");

            // then the watchdog listens again, in the same process, and requests are served
            long ms = Workers.await("the listener is back", 15_000, () -> health(port) == 200);
            System.out.printf("listener back %d ms after the descriptors were given back%n", ms);
            assertTrue(process.isAlive());
            // the watchdog logs once the listener is bound again, which may be after that first answer
            Workers.await("the watchdog logged the new listener", 5_000,
                    () -> log().contains("ListenerWatchdog: listening again on"));
            assertEquals("def", new Http(java.net.URI.create("http://127.0.0.1:" + port)).post("/v1/inference",
                    "{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": 3, \"temperature\": 0}",
                    "X-API-Key", TestServer.KEY).json().get("result"));
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("logs/backend.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int listeningPort(Process process) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        Matcher listening = Pattern.compile("Cerebrum backend listening on http://127\\.0\\.0\\.1:(\\d+)").matcher("");
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (listening.reset(line).find()) {
                int port = Integer.parseInt(listening.group(1));
                Thread.ofVirtual().start(() -> drain(out));
                return port;
            }
        }
        throw new AssertionError("the server printed no address");
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // keep the pipe flowing
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** The status of GET /health, or -1 when nothing answered. */
    private static int health(int port) {
        return health(port, Duration.ZERO);
    }

    /** The status of GET /health sent in two parts {@code pause} apart, or -1 when nothing answered. */
    private static int health(int port, Duration pause) {
        try (RawConnection c = RawConnection.open(port)) {
            c.send("GET /health HTTP/1.1\r\n");
            Thread.sleep(pause);
            return c.send("Host: x\r\nConnection: close\r\n\r\n").readToEnd(Duration.ofSeconds(2)).status();
        } catch (UncheckedIOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static int openDescriptors(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        }
    }

    private static String softLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
            if (line.startsWith("Max open files")) {
                return line.substring("Max open files".length()).strip().split("\\s+")[0];
            }
        }
        throw new AssertionError("no open-files limit in /proc/" + pid + "/limits");
    }

    private static void prlimit(long pid, String nofile) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + nofile)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "prlimit --nofile=" + nofile + ": " + out);
    }
}
