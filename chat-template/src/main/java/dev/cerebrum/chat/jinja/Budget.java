package dev.cerebrum.chat.jinja;

/**
 * The bounds of one render: evaluation steps (bulk string and list work is charged by size), the size of
 * any string, list or output buffer, and the nesting of macro calls and data structures.
 */
final class Budget {

    /**
     * The budget of the render running on this thread. Value helpers deep inside comparisons, membership
     * tests and printing charge it, so that repeating such work on large values in a loop cannot run for
     * hours; every other caller passes its budget explicitly.
     */
    private static final ThreadLocal<Budget> ACTIVE = new ThreadLocal<>();

    private final long maxSteps;
    private final int maxChars;
    private final int maxDepth;
    private long steps;
    private int depth;

    Budget(long maxSteps, int maxChars, int maxDepth) {
        this.maxSteps = maxSteps;
        this.maxChars = maxChars;
        this.maxDepth = maxDepth;
    }

    /** Makes this the budget {@link #charge} uses on this thread until {@link #deactivate}. */
    Budget activate() {
        ACTIVE.set(this);
        return this;
    }

    static void deactivate() {
        ACTIVE.remove();
    }

    /** Charges work to the render running on this thread, if any. */
    static void charge(long units) {
        Budget budget = ACTIVE.get();
        if (budget != null) {
            budget.work(units);
        }
    }

    /** Refuses a size the render running on this thread may not build, if any render is running. */
    static void requireSize(long size) {
        Budget budget = ACTIVE.get();
        if (budget != null) {
            budget.checkSize(size);
        }
    }

    /** One evaluation step. */
    void step() {
        if (++steps > maxSteps) {
            throw exhausted();
        }
    }

    /** Work proportional to {@code units} (list items, or characters / 16). */
    void work(long units) {
        steps += units;
        if (steps > maxSteps) {
            throw exhausted();
        }
    }

    /** Charges for processing {@code length} characters. */
    void chars(long length) {
        work(length >> 4);
    }

    private JinjaRuntimeError exhausted() {
        return JinjaRuntimeError.limit("the template needed more than " + maxSteps + " evaluation steps");
    }

    /** Refuses a string, list or output longer than the output limit. */
    void checkSize(long size) {
        if (size > maxChars) {
            throw JinjaRuntimeError.limit("a value or the output would exceed " + maxChars + " characters or items");
        }
    }

    /** Returns the string after checking its size and charging for it. */
    String string(String value) {
        checkSize(value.length());
        chars(value.length());
        return value;
    }

    void enter() {
        if (++depth > maxDepth) {
            depth--;
            throw JinjaRuntimeError.limit("macro calls or data nest deeper than " + maxDepth + " levels");
        }
    }

    void leave() {
        depth--;
    }
}
