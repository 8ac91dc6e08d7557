package dev.cerebrum.guard;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Refusals so far, by kind. */
final class Refusals {
    private final Map<Refusal, AtomicLong> counts = new EnumMap<>(Refusal.class);

    Refusals() {
        for (Refusal r : Refusal.values()) {
            counts.put(r, new AtomicLong());
        }
    }

    /** Counts a refusal and returns its exception, to be thrown. */
    <E extends RuntimeException> E count(Refusal refusal, E e) {
        counts.get(refusal).incrementAndGet();
        return e;
    }

    /** The counter of one kind, for a meter. */
    AtomicLong counter(Refusal refusal) {
        return counts.get(refusal);
    }

    /** Every kind with its count, in declaration order. */
    Map<Refusal, Long> snapshot() {
        Map<Refusal, Long> out = new EnumMap<>(Refusal.class);
        counts.forEach((k, v) -> out.put(k, v.get()));
        return Collections.unmodifiableMap(out);
    }
}
