package dev.cerebrum.grammar;

import java.util.Objects;

/**
 * Grammars for OpenAI's {@code response_format}: any JSON object ({@code json_object}), or exactly the
 * documents a JSON schema allows ({@code json_schema}). Schemas arrive as a JSON library parses them:
 * {@code Map<String, Object>} (in document order), {@code List<Object>}, {@code String}, {@code Number},
 * {@code Boolean} and {@code null}.
 *
 * <p>Supported: {@code type} (one or a list), {@code properties}, {@code required},
 * {@code additionalProperties} (false, true or a schema), {@code items} (a schema, {@code false}, or in
 * draft-07 form a list), {@code prefixItems}, {@code minItems}, {@code maxItems}, {@code enum},
 * {@code const}, {@code anyOf}, {@code oneOf} (as {@code anyOf}), {@code allOf} of plain object schemas,
 * local {@code $ref} ({@code #}, {@code #/$defs/...}, {@code #/definitions/...} and other local pointers,
 * recursive ones included), {@code minLength}, {@code maxLength}, {@code format} date, time, date-time and
 * uuid, and integer {@code minimum}, {@code maximum}, {@code exclusiveMinimum} and {@code exclusiveMaximum}.
 * Annotations ({@code title}, {@code description}, {@code default}, {@code examples}, {@code $schema},
 * {@code $id}, {@code $comment}, {@code deprecated}, {@code readOnly}, {@code writeOnly}, {@code x-...})
 * are ignored. Everything else is refused with {@link UnsupportedSchemaException} naming the JSON pointer
 * and the keyword, rather than silently allowing more than the schema does.
 *
 * <p>The grammar fixes a canonical form of the documents: properties in the order of {@code properties}
 * (then required names not listed there), additional properties after them with plain keys (no
 * escapes), strings of {@code enum} and {@code const} as written with only the necessary escapes, no
 * whitespace before or after the document. An object schema without {@code additionalProperties} allows
 * no other properties, as in llama.cpp and OpenAI's strict mode. A schema without {@code type} takes the
 * type its keywords imply (for example {@code properties}: object).
 */
public final class JsonSchemaGrammars {
    private static final Grammar JSON_OBJECT = Grammar.parse(SchemaCompiler.jsonObjectGrammar());

    private JsonSchemaGrammars() {
    }

    /** A grammar for any JSON object: OpenAI's {@code response_format} of type {@code json_object}. */
    public static Grammar jsonObject() {
        return JSON_OBJECT;
    }

    /**
     * A grammar for exactly the documents {@code schema} allows, in the canonical form described above.
     *
     * @throws UnsupportedSchemaException when the schema uses a feature that is not supported, is not a
     *                                    valid schema, or compiles to a grammar beyond {@link GrammarLimits}
     */
    public static Grammar fromSchema(Object schema) {
        Objects.requireNonNull(schema, "schema");
        String text = new SchemaCompiler(schema).compile();
        try {
            return Grammar.parse(text);
        } catch (GrammarException e) {
            if (e.problem() == GrammarException.Problem.LEFT_RECURSION) {
                throw new UnsupportedSchemaException("", "$ref", "a $ref cycle that never reaches a value");
            }
            if (e.problem() == GrammarException.Problem.LIMIT) {
                throw new UnsupportedSchemaException("", "size", "the schema is too large or too ambiguous"
                        + " to be enforced: " + e.reason());
            }
            throw new IllegalStateException("a schema compiled to an invalid grammar: " + e.getMessage(), e);
        }
    }
}
