package dev.cerebrum.client;

/** The state of an endpoint's circuit breaker. */
public enum CircuitState {
    /** Requests flow. */
    CLOSED,
    /** Requests are refused until the open duration has passed. */
    OPEN,
    /** A limited number of probe requests decide whether to close or reopen. */
    HALF_OPEN
}
