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
    private final String function;
    private Supplier<Iterator<Object>> source;
    private Iterator<Object> iterator;

    /** A generator made by the jinja2 function {@code function} (it shows in the repr). */
    static LazyIter generator(String function, Supplier<Iterator<Object>> source) {
        return new LazyIter("generator", function, source);
    }

    /** An iterator object such as {@code list_reverseiterator}. */
    static LazyIter iterator(String typeName, Supplier<Iterator<Object>> source) {
        return new LazyIter(typeName, null, source);
    }

    private LazyIter(String typeName, String function, Supplier<Iterator<Object>> source) {
        this.typeName = typeName;
        this.function = function;
        this.source = source;
    }

    String typeName() {
        return typeName;
    }

    /** Python's repr, with a fixed address of the usual length (so lengths and word counts match). */
    String repr() {
        return "<" + typeName + " object " + (function == null ? "" : function + " ") + "at 0x7f0000000000>";
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
