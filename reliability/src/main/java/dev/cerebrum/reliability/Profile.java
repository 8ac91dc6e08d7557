package dev.cerebrum.reliability;

/** How much of each part to run: the quick subset runs with the tests, the full suite by hand. */
enum Profile {
    /** A few seconds per part: what {@code ./cerebrum test} runs. */
    QUICK,
    /** The sizes the README table reports: a minute of load, a thousand idle connections. */
    FULL;

    /** {@code quick} in the quick profile, else {@code full}. */
    int pick(int quick, int full) {
        return this == QUICK ? quick : full;
    }
}
