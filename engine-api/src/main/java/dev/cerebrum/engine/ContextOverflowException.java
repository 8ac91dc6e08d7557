package dev.cerebrum.engine;

/** The prompt does not fit the context of a slot. */
public class ContextOverflowException extends InvalidRequestException {
    private final int promptTokens;
    private final int contextTokens;

    public ContextOverflowException(int promptTokens, int contextTokens) {
        super("prompt", "prompt is " + promptTokens + " tokens but the context holds " + contextTokens
                + " tokens per request");
        this.promptTokens = promptTokens;
        this.contextTokens = contextTokens;
    }

    /** Tokens in the prompt. */
    public int promptTokens() {
        return promptTokens;
    }

    /** Tokens of context one request can use. */
    public int contextTokens() {
        return contextTokens;
    }
}
