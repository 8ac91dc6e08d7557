package dev.cerebrum.bench;

/**
 * Repeated measurements of one figure, summarised.
 *
 * @param count  measurements
 * @param median the median (the mean of the two middle values for an even count)
 * @param p99    the 99th percentile, nearest rank
 * @param min    the smallest
 * @param max    the largest
 */
record Summary(int count, double median, double p99, double min, double max) {

    /** No measurement: every figure is NaN. */
    static final Summary EMPTY = new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** True when there is no measurement. */
    boolean isEmpty() {
        return count == 0;
    }
}
