package dev.cerebrum.reliability;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quick profile of every part of the suite, on real server processes: what {@code ./cerebrum test} and
 * {@code .ci/run} cover. A part added to {@link Suite#PARTS} is run here without further ado. Among them, the
 * descriptor part shows that after idle connections exhaust a lowered descriptor limit and close, health and
 * inference answer again within seconds.
 */
class QuickSuiteIT {
    static Stream<Named<Part>> parts() {
        return Suite.PARTS.stream().map(part -> Named.of(part.name(), part));
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("parts")
    void everyPart_holds_inItsQuickProfile(Part part) throws Exception {
        PartResult result = part.run(new SuiteContext(Profile.QUICK, dir, System.out));

        System.out.println(Report.text(List.of(result)));
        assertTrue(result.held(), () -> part.name() + " did not hold:\n" + String.join("\n", result.problems()));
    }
}
