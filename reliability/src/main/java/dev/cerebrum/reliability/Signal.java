package dev.cerebrum.reliability;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The job-control signals that Java cannot send itself, sent with the {@code kill} command. */
enum Signal {
    /** Freezes a process, as a debugger, a swap storm or a hung JVM would. */
    STOP,
    /** Lets a frozen process go on. */
    CONT;

    /** Sends the signal to {@code pid}, failing when {@code kill} did not deliver it. */
    void send(long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name().toUpperCase(Locale.ROOT), Long.toString(pid))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IOException("kill -" + name() + " " + pid + " failed: "
                    + new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
