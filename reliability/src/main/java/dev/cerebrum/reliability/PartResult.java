package dev.cerebrum.reliability;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one part found.
 *
 * @param part     the part's name
 * @param tried    what was tried, in a few words ("48 clients for 60 s")
 * @param held     true when everything came out as it must
 * @param figures  the figures behind the verdict, in one line
 * @param headline what the summary line under the table says of the part when it held ("8 of 8 faults
 *                 survived"); empty for nothing
 * @param problems what did not hold, one line each; empty when it held
 * @param took     how long the part ran
 */
record PartResult(String part, String tried, boolean held, String figures, String headline, List<String> problems,
                  Duration took) {
    PartResult {
        Objects.requireNonNull(part);
        Objects.requireNonNull(tried);
        Objects.requireNonNull(figures);
        Objects.requireNonNull(headline);
        problems = List.copyOf(problems);
        Objects.requireNonNull(took);
        if (held != problems.isEmpty()) {
            throw new IllegalArgumentException("a part held exactly when it found no problem");
        }
    }

    /** A result that held when there are no problems, without a headline. */
    static PartResult of(String part, String tried, String figures, List<String> problems, Duration took) {
        return new PartResult(part, tried, problems.isEmpty(), figures, "", problems, took);
    }

    /** The same result with this headline. */
    PartResult withHeadline(String headline) {
        return new PartResult(part, tried, held, figures, headline, problems, took);
    }
}
