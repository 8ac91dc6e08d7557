package dev.cerebrum.chat.jinja;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** {@code dict.items()}, {@code keys()} and {@code values()}: live, re-iterable views with a length. */
record DictView(Kind kind, Map<Object, Object> map) implements Iterable<Object> {

    /** Which view. */
    enum Kind { KEYS, VALUES, ITEMS }

    @Override
    public Iterator<Object> iterator() {
        List<Object> snapshot = new ArrayList<>(map.size());
        for (Map.Entry<Object, Object> entry : map.entrySet()) {
            snapshot.add(switch (kind) {
                case KEYS -> entry.getKey();
                case VALUES -> entry.getValue();
                case ITEMS -> PyTuple.of(entry.getKey(), entry.getValue());
            });
        }
        return snapshot.iterator();
    }

    String typeName() {
        return switch (kind) {
            case KEYS -> "dict_keys";
            case VALUES -> "dict_values";
            case ITEMS -> "dict_items";
        };
    }
}
