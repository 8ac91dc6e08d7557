package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.EngineFailureException;

/** The llama.cpp library found is not the one this engine was built for: its structs or symbols differ. */
public class IncompatibleNativesException extends EngineFailureException {
    public IncompatibleNativesException(String message) {
        super(message);
    }
}
