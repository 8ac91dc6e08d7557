package dev.cerebrum.gguf;

import java.util.List;
import java.util.Objects;

/**
 * A GGUF metadata array: one element type and elements held as {@link GgufValue} holds values
 * (nested arrays as {@code GgufArray}).
 *
 * @param elementType the type of every element
 * @param elements    the elements, unmodifiable
 */
public record GgufArray(GgufValueType elementType, List<Object> elements) {

    public GgufArray {
        Objects.requireNonNull(elementType, "elementType");
        elements = List.copyOf(elements);
        for (Object e : elements) {
            GgufValue.checkElement(elementType, e);
        }
    }

    /** The number of elements. */
    public int size() {
        return elements.size();
    }
}
