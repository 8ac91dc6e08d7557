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
 * {@code .ci/run} cover. A part added to {@link Suite#PARTS} is run here without further ado. Among them, on the
 * real server, these show the "done when" items of the reliability issue:
 * <ul>
 *   <li>descriptors: after idle connections exhaust a lowered descriptor limit and close, health and inference
 *       answer again within seconds;</li>
 *   <li>hostile-grammars: hostile and malformed grammars get 400 naming {@code grammar} while a bystander's
 *       streams on the same model complete; a slow (worst accepted) grammar does not delay a request on the free
 *       slot by more than a second;</li>
 *   <li>faults: a SIGSTOPped worker is replaced within the documented bound (the watchdog's defaults: ping
 *       interval + timeout + the next check, plus slack), with an error event for each of its streams, and the
 *       requests that waited are served by a fresh worker; a deleted and restored model file is served again
 *       without a restart; SIGKILL mid-stream and SIGTERM with streams in flight lose nothing.</li>
 * </ul>
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
