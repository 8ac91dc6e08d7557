package dev.cerebrum.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The systemd unit as deploy/systemd/install.sh renders it: complete, with the seed's limits, and valid. */
class SystemdUnitIT {
    private static final Path INSTALL = Launcher.ROOT.resolve("deploy/systemd/install.sh");

    @TempDir
    Path dir;

    private record Run(int exitCode, String output) {
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        return new Run(p.exitValue(), out);
    }

    private Path render() throws IOException, InterruptedException {
        Path unit = dir.resolve("cerebrum-backend.service");
        String user = System.getProperty("user.name");
        Run r = run(List.of(INSTALL.toString(), "--user", user, "--output", unit.toString()));
        assertEquals(0, r.exitCode(), r.output());
        return unit;
    }

    @Test
    void renderedUnit_hasNoPlaceholderLeft_andCarriesTheSeedsLimits() throws Exception {
        // when
        String unit = Files.readString(render());

        // then
        assertFalse(unit.contains("@"), "every placeholder is filled:\n" + unit);
        for (String line : List.of("CPUQuota=95%", "Nice=10", "MemoryHigh=6000M", "MemoryMax=6500M", "OOMPolicy=stop",
                "Restart=on-failure", "RestartSec=5", "User=" + System.getProperty("user.name"),
                "WorkingDirectory=" + Launcher.ROOT, "Environment=CEREBRUM_HOME=" + Launcher.ROOT,
                "ExecStart=" + Launcher.SCRIPT + " serve --no-build", "KillMode=mixed",
                // a graceful stop exits 143 (LauncherIT, the reliability suite): not a failure of the unit
                "SuccessExitStatus=143")) {
            assertTrue(unit.lines().anyMatch(line::equals), line + " in\n" + unit);
        }
        // .env has one parser, the server's: systemd's EnvironmentFile would read quotes and comments differently
        assertFalse(unit.lines().anyMatch(l -> l.startsWith("EnvironmentFile")), unit);
        int tasksMax = unit.lines().filter(l -> l.startsWith("TasksMax=")).map(l -> Integer.parseInt(l.substring(9)))
                .findFirst().orElseThrow();
        assertTrue(tasksMax >= 50, "TasksMax never below the seed's 50");
    }

    @Test
    void renderedUnit_passesSystemdAnalyzeVerify() throws Exception {
        // given
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")) || Files.isExecutable(Path.of("/bin/systemd-analyze")),
                "systemd-analyze is not installed: the unit is not verified here");
        Path unit = render();

        // when
        Run r = run(List.of("systemd-analyze", "verify", unit.toString()));

        // then no error and no warning about the unit (verify exits 0 on mere warnings)
        assertEquals(0, r.exitCode(), r.output());
        assertFalse(r.output().contains(unit.getFileName().toString()), "no complaint about the unit:\n" + r.output());
    }

    @Test
    void systemdAnalyzeVerify_wouldCatchABrokenUnit() throws Exception {
        // given the same check applied to a unit with a misspelt key: proof that the check above can fail
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed");
        Path unit = render();
        Files.writeString(unit, Files.readString(unit).replace("TasksMax=", "TaskMax="));

        // when
        Run r = run(List.of("systemd-analyze", "verify", unit.toString()));

        // then
        assertTrue(r.output().contains("Unknown key") && r.output().contains("TaskMax"), r.output());
    }

    @Test
    void install_refusesAnUnknownUser() throws Exception {
        Run r = run(List.of(INSTALL.toString(), "--user", "no-such-user-cerebrum", "--output",
                dir.resolve("x.service").toString()));

        assertNotEquals(0, r.exitCode());
        assertTrue(r.output().contains("no user 'no-such-user-cerebrum'"), r.output());
        assertFalse(Files.exists(dir.resolve("x.service")));
    }
}
