package dev.cerebrum.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quick profile of {@link HostileInputPart}, on real server processes. */
class HostileInputIT {
    @TempDir
    Path dir;

    @Test
    void everyHostileInput_getsItsExpectedAnswer_andTheServerStaysHealthy() throws Exception {
        PartResult result = new HostileInputPart().run(new SuiteContext(Profile.QUICK, dir, System.out));

        System.out.println(Report.text(java.util.List.of(result)));
        assertTrue(result.held(), () -> String.join("\n", result.problems()));
    }
}
