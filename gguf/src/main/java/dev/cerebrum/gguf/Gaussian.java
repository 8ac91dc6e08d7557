package dev.cerebrum.gguf;

import java.util.SplittableRandom;

/** Normal samples by Box-Muller over StrictMath, so generated weights are identical on every JVM. */
final class Gaussian {
    private final SplittableRandom random;
    private double spare;
    private boolean hasSpare;

    Gaussian(long seed) {
        this.random = new SplittableRandom(seed);
    }

    double next() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(u));
        spare = r * StrictMath.sin(2 * StrictMath.PI * v);
        hasSpare = true;
        return r * StrictMath.cos(2 * StrictMath.PI * v);
    }
}
