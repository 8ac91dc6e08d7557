package dev.cerebrum.guard;

import dev.cerebrum.engine.UnknownModelException;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The registered models by name, in registry order, and whether the guard has closed. */
final class Residents {
    private final Map<String, Resident> byName;
    private volatile boolean closed;

    Residents(ModelRegistry registry) {
        Map<String, Resident> map = new LinkedHashMap<>();
        for (ModelEntry entry : registry.entries()) {
            map.putIfAbsent(entry.name(), new Resident(entry));
        }
        this.byName = Collections.unmodifiableMap(map);
    }

    /**
     * The model of that name.
     *
     * @throws UnknownModelException when none is registered
     */
    Resident get(String model) {
        Resident r = model == null ? null : byName.get(model);
        if (r == null) {
            throw new UnknownModelException(model);
        }
        return r;
    }

    /** Every model, in registry order. */
    Collection<Resident> all() {
        return byName.values();
    }

    /** True once {@link #close()} was called. */
    boolean closed() {
        return closed;
    }

    /** Marks the guard closed: no new work is taken. */
    void close() {
        closed = true;
    }

    /** @throws ModelUnavailableException when the guard has closed */
    void ensureOpen(String model) {
        if (closed) {
            throw new ModelUnavailableException(model, SHUTTING_DOWN);
        }
    }

    /** The reason given to work refused or ended because the server is shutting down. */
    static final String SHUTTING_DOWN = "the server is shutting down";
}
