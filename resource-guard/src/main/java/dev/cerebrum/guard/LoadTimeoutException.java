package dev.cerebrum.guard;

import java.time.Duration;

/** The model did not finish loading within the load timeout; the load may still complete later. */
public class LoadTimeoutException extends ModelUnavailableException {
    private final Duration timeout;

    public LoadTimeoutException(String model, Duration timeout) {
        super(model, "loading did not finish within " + timeout.toSeconds() + " s");
        this.timeout = timeout;
    }

    /** How long the caller waited. */
    public Duration timeout() {
        return timeout;
    }
}
