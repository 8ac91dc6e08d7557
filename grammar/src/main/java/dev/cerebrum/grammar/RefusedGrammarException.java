package dev.cerebrum.grammar;

/**
 * The base of every refusal of this library: a grammar or a JSON schema that cannot be used. Messages are
 * plain and safe to show a client; they never quote more than a short piece of the input.
 */
public abstract sealed class RefusedGrammarException extends RuntimeException
        permits GrammarException, UnsupportedSchemaException {

    RefusedGrammarException(String message) {
        super(message);
    }
}
