package dev.cerebrum.server;

import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.grammar.Grammar;
import dev.cerebrum.grammar.GrammarException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;

/**
 * The body of {@code /v1/inference} and {@code /v1/inference/stream}, read and checked: JSON syntax and
 * types, the body and prompt limits, the {@code max_tokens} range and the grammar. Every refusal names its
 * field.
 *
 * @param model   the registry name
 * @param request the generation to run
 */
record InferenceBody(String model, GenerationRequest request) {

    /** The server's limits on a body. */
    record Limits(long maxBodyBytes, int maxPromptChars, int maxTokens) {
    }

    /**
     * Reads at most {@code limits.maxBodyBytes()} bytes, refusing more with 413 before reading them all. On a
     * failure the rest of the body stays unread (reading on could wait forever on a malformed chunk size), so
     * the caller must close the connection after its answer.
     */
    static byte[] readBody(InputStream in, long contentLength, Limits limits) {
        if (contentLength > limits.maxBodyBytes()) {
            throw tooLarge(limits);
        }
        byte[] body;
        try {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBodyBytes() + 1));
        } catch (IOException | RuntimeException e) {
            // A malformed chunked body surfaces from Helidon as a RuntimeException while it is read.
            throw new ApiException(ApiError.invalid("body", "the request body could not be read"));
        }
        if (body.length > limits.maxBodyBytes()) {
            throw tooLarge(limits);
        }
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            throw new ApiException(ApiError.invalid("body", "the request body could not be read"));
        }
        return body;
    }

    private static ApiException tooLarge(Limits limits) {
        return new ApiException(ApiError.of(413, "payload_too_large", "the request body is larger than "
                + limits.maxBodyBytes() + " bytes (CEREBRUM_MAX_BODY_BYTES)").withField("body")
                .withLimit(limits.maxBodyBytes()));
    }

    /**
     * Reads a request's body within the limits; on a refusal the response gets {@code Connection: close},
     * because part of the body is still unread and the connection cannot carry another request.
     */
    static byte[] read(ServerRequest req, ServerResponse res, Limits limits) {
        try {
            return readBody(req.content().inputStream(), req.headers().contentLength().orElse(-1), limits);
        } catch (ApiException e) {
            res.header(HeaderNames.CONNECTION, "close");
            throw e;
        }
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
