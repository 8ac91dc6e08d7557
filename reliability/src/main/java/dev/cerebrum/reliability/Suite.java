package dev.cerebrum.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The parts, in the order they run, and the running of them. */
final class Suite {
    /**
     * Every part of the suite. A new part is a class of its own, implementing {@link Part}, added here; the
     * tests then run its quick profile too ({@code QuickSuiteIT}).
     */
    static final List<Part> PARTS = List.of(new LoadPart(), new DescriptorExhaustionPart(), new HostileInputPart(),
            new HostileGrammarPart(), new FaultsPart());

    private Suite() {
    }

    /** Runs the parts one after the other; a part that cannot run is a part that did not hold. */
    static List<PartResult> run(List<Part> parts, SuiteContext context) {
        List<PartResult> results = new ArrayList<>();
        for (Part part : parts) {
            context.out().printf("%n== %s (%s)%n", part.name(), context.profile().name().toLowerCase());
            long start = System.nanoTime();
            PartResult result;
            try {
                result = part.run(context);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                result = PartResult.of(part.name(), "(could not run)", "", List.of(e.getClass().getSimpleName()
                        + ": " + e.getMessage()), Duration.ofNanos(System.nanoTime() - start));
            }
            context.out().printf("   %s in %.1f s%s%n", result.held() ? "held" : "DID NOT HOLD",
                    result.took().toMillis() / 1000.0,
                    result.held() ? "" : ":\n     - " + String.join("\n     - ", result.problems()));
            results.add(result);
        }
        return results;
    }
}
