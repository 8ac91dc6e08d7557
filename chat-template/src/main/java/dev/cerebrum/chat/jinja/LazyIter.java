package dev.cerebrum.chat.jinja;

import java.util.Collections;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * A Python generator or iterator (what {@code map}, {@code select}, {@code unique}, {@code reverse} and the
 * like return): lazy, single use, always true, without a length. Errors surface when it is consumed.
 */
final class LazyIter implements Iterable<Object> {

    private final String typeName;
    private Supplier<Iterator<Object>> source;
    private Iterator<Object> iterator;

    LazyIter(String typeName, Supplier<Iterator<Object>> source) {
        this.typeName = typeName;
        this.source = source;
    }

    String typeName() {
        return typeName;
    }

    @Override
    public Iterator<Object> iterator() {
        if (iterator == null) {
            Supplier<Iterator<Object>> start = source;
            source = null;
            iterator = Collections.emptyIterator();
            iterator = start.get();
        }
        return iterator;
    }
}
