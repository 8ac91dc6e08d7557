package dev.cerebrum.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quick profile of {@link LoadPart}, on real server processes. */
class LoadIT {
    @TempDir
    Path dir;

    @Test
    void quickLoad_getsOnlyAllowedStatusesAndKnownAnswers_andResourcesComeBack() throws Exception {
        PartResult result = new LoadPart().run(new SuiteContext(Profile.QUICK, dir, System.out));

        System.out.println(Report.text(java.util.List.of(result)));
        assertTrue(result.held(), () -> String.join("\n", result.problems()));
    }
}
