package dev.cerebrum.bench;

import java.util.Arrays;
import java.util.Collection;

/** Order statistics of small samples. NaN values are ignored: they mean "not measured". */
final class Stats {
    private Stats() {
    }

    /** The summary of the values; {@link Summary#EMPTY} when there are none. */
    static Summary summarize(Collection<Double> values) {
        double[] sorted = sorted(values);
        if (sorted.length == 0) {
            return Summary.EMPTY;
        }
        return new Summary(sorted.length, median(sorted), nearestRank(sorted, 99), sorted[0], sorted[sorted.length - 1]);
    }

    /** The median; NaN when there are no values. */
    static double median(Collection<Double> values) {
        double[] sorted = sorted(values);
        return sorted.length == 0 ? Double.NaN : median(sorted);
    }

    /**
     * The nearest-rank percentile: the smallest value with at least {@code p} percent of the values at or
     * below it. With few values p99 is the maximum, which is what a small sample honestly says.
     */
    static double percentile(Collection<Double> values, double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], was " + p);
        }
        double[] sorted = sorted(values);
        return sorted.length == 0 ? Double.NaN : nearestRank(sorted, p);
    }

    /** {@code a / b}, or NaN when either is not a number or b is zero. */
    static double ratio(double a, double b) {
        return Double.isFinite(a) && Double.isFinite(b) && b != 0 ? a / b : Double.NaN;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double nearestRank(double[] sorted, double p) {
        // p * n first: 0.99 * 100 is not exactly 99 in binary floating point.
        int rank = (int) Math.ceil(p * sorted.length / 100.0);
        return sorted[Math.max(1, rank) - 1];
    }

    private static double[] sorted(Collection<Double> values) {
        double[] a = values.stream().filter(v -> v != null && !Double.isNaN(v)).mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }
}
