package dev.cerebrum.chat.jinja;

import java.util.AbstractList;
import java.util.List;

/** A Python tuple: an immutable sequence that prints as {@code (a, b)}. */
final class PyTuple extends AbstractList<Object> {

    static final PyTuple EMPTY = new PyTuple(new Object[0]);

    private final Object[] items;

    private PyTuple(Object[] items) {
        this.items = items;
    }

    static PyTuple of(Object... items) {
        return new PyTuple(items.clone());
    }

    static PyTuple copyOf(List<?> items) {
        return new PyTuple(items.toArray());
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }
}
