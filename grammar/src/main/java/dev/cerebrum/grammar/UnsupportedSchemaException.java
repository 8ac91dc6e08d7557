package dev.cerebrum.grammar;

/**
 * A JSON schema that cannot be compiled to a grammar: it uses a feature this library does not support, or is
 * not a valid schema. The message names the JSON pointer of the offending part and the feature.
 */
public final class UnsupportedSchemaException extends RefusedGrammarException {
    private final String pointer;
    private final String feature;

    UnsupportedSchemaException(String pointer, String feature, String reason) {
        super("schema at '" + pointer + "': " + reason);
        this.pointer = pointer;
        this.feature = feature;
    }

    /** The JSON pointer (RFC 6901) of the offending part of the schema; {@code ""} is the whole schema. */
    public String pointer() {
        return pointer;
    }

    /** The keyword or feature that is refused, for example {@code pattern}. */
    public String feature() {
        return feature;
    }
}
