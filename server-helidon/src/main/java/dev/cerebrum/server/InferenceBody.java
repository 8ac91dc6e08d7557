package dev.cerebrum.server;

import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.grammar.Grammar;
import dev.cerebrum.grammar.GrammarException;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.ServerRequest;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * The body of {@code /v1/inference} and {@code /v1/inference/stream}, read and checked: JSON syntax and
 * types, the body and prompt limits, the {@code max_tokens} range and the grammar. Every refusal names its
 * field.
 *
 * @param model   the registry name
 * @param request the generation to run
 */
record InferenceBody(String model, GenerationRequest request) {

    /**
     * The server's limits on a body.
     *
     * @param maxBodyBytes   the largest body read ({@code CEREBRUM_MAX_BODY_BYTES})
     * @param maxPromptChars the longest prompt ({@code CEREBRUM_MAX_PROMPT_CHARS})
     * @param maxTokens      the largest {@code max_tokens} ({@code CEREBRUM_MAX_TOKENS_LIMIT})
     */
    record Limits(long maxBodyBytes, int maxPromptChars, int maxTokens) {
        /** How many times {@link #maxBodyBytes()} a request may send at most, the refused part read and discarded. */
        static final int DISCARD_FACTOR = 4;

        /**
         * The most bytes the server reads of any request body (Helidon's {@code max-payload-size}): the rest of a
         * body it refuses is read and discarded up to here, so that a client that is still sending it reads the
         * answer instead of a reset; a body that declares more is refused before it is routed.
         */
        long maxPayloadBytes() {
            return maxBodyBytes * DISCARD_FACTOR;
        }
    }

    /**
     * Reads at most {@code limits.maxBodyBytes()} bytes, refusing more with 413 before reading them all. A declared
     * length over the limit is refused before the body is opened, so a client waiting for {@code 100 Continue} gets
     * the refusal instead and never sends the body. The rest of a refused body is left for {@link RequestFilter} to
     * discard after the answer. A body that cannot be read to its end (a malformed chunk, or a chunk beyond
     * {@link Limits#maxPayloadBytes()}) is refused with an exception that ends the connection, since reading on
     * could wait forever or for too much.
     */
    static byte[] readBody(Supplier<InputStream> opener, long contentLength, Limits limits) {
        if (contentLength > limits.maxBodyBytes()) {
            throw new ApiException(ApiError.bodyTooLarge(limits.maxBodyBytes()));
        }
        byte[] body;
        try {
            InputStream in = opener.get();
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBodyBytes() + 1));
            if (body.length <= limits.maxBodyBytes()) {
                in.close();
            }
        } catch (IOException | RuntimeException e) {
            throw unreadable(e, limits);
        }
        if (body.length > limits.maxBodyBytes()) {
            throw new ApiException(ApiError.bodyTooLarge(limits.maxBodyBytes()));
        }
        return body;
    }

    /**
     * A body that cannot be read on: Helidon reports a malformed chunked body as a RuntimeException, and a chunk
     * that takes the body past its max payload size as its own 413.
     */
    private static ApiException unreadable(Exception e, Limits limits) {
        return ApiException.endingConnection(e instanceof RequestException r && r.status().code() == 413
                ? ApiError.bodyTooLarge(limits.maxBodyBytes())
                : ApiError.invalid("body", "the request body could not be read"));
    }

    /** Reads a request's body within the limits. */
    static byte[] read(ServerRequest req, Limits limits) {
        return readBody(req.content()::inputStream, req.headers().contentLength().orElse(-1), limits);
    }

    /** Parses and checks a body. */
    static InferenceBody parse(byte[] bytes, Limits limits) {
        JsonFields f = JsonFields.ofBody(bytes);
        String prompt = f.requiredString("prompt");
        checkPromptLength("prompt", "prompt", prompt, limits);
        String model = model(f);
        Integer maxTokens = maxTokens(f, "max_tokens", limits);
        int defaultMax = Math.min(GenerationRequest.DEFAULT_MAX_TOKENS, limits.maxTokens());
        Sampling sampling = Sampling.read(f, Sampling.NATIVE);
        String grammar = f.optionalString("grammar");
        checkGrammar(grammar);
        Boolean ignoreEos = f.bool("ignore_eos");
        GenerationRequest request = sampling.request(prompt, maxTokens == null ? defaultMax : maxTokens,
                grammar, ignoreEos != null && ignoreEos);
        return new InferenceBody(model, request);
    }

    /** A prompt longer than {@code CEREBRUM_MAX_PROMPT_CHARS} is 413 naming the field. */
    static void checkPromptLength(String field, String what, String prompt, Limits limits) {
        if (prompt.length() > limits.maxPromptChars()) {
            throw new ApiException(ApiError.of(413, "payload_too_large", what + " is " + prompt.length()
                    + " characters; the limit is " + limits.maxPromptChars() + " (CEREBRUM_MAX_PROMPT_CHARS)")
                    .withField(field).withLimit(limits.maxPromptChars()));
        }
    }

    /** The required, non-blank {@code model}. */
    static String model(JsonFields f) {
        String model = f.requiredString("model");
        if (model.isBlank()) {
            throw f.invalid("model", "model must not be empty");
        }
        return model;
    }

    /** A token limit between 1 and {@code CEREBRUM_MAX_TOKENS_LIMIT}, or null when absent. */
    static Integer maxTokens(JsonFields f, String name, Limits limits) {
        Long maxTokens = f.integer(name);
        if (maxTokens != null && (maxTokens < 1 || maxTokens > limits.maxTokens())) {
            throw new ApiException(ApiError.invalid(name, name + " must be between 1 and "
                    + limits.maxTokens()).withLimit(limits.maxTokens()));
        }
        return maxTokens == null ? null : maxTokens.intValue();
    }

    /** A grammar llama.cpp would refuse, mis-handle or choke on is a 400 naming the problem. */
    static void checkGrammar(String grammar) {
        if (grammar == null || grammar.isBlank()) {
            return;
        }
        try {
            Grammar.parse(grammar);
        } catch (GrammarException e) {
            throw new ApiException(ApiError.invalid("grammar", "invalid grammar: " + e.getMessage()));
        }
    }
}
