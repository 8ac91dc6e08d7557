package dev.cerebrum.server;

import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.grammar.Grammar;
import dev.cerebrum.grammar.GrammarException;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /** Parses and checks a body. */
    static InferenceBody parse(byte[] bytes, Limits limits) {
        Object parsed;
        try {
            parsed = Json.read(bytes);
        } catch (IOException | RuntimeException e) {
            throw new ApiException(ApiError.invalid("body", "the request body is not valid JSON"));
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new ApiException(ApiError.invalid("body", "the request body must be a JSON object"));
        }
        Fields f = new Fields(map);
        String prompt = f.requiredString("prompt");
        if (prompt.length() > limits.maxPromptChars()) {
            throw new ApiException(ApiError.of(413, "payload_too_large", "prompt is " + prompt.length()
                    + " characters; the limit is " + limits.maxPromptChars() + " (CEREBRUM_MAX_PROMPT_CHARS)")
                    .withField("prompt").withLimit(limits.maxPromptChars()));
        }
        String model = f.requiredString("model");
        if (model.isBlank()) {
            throw new ApiException(ApiError.invalid("model", "model must not be empty"));
        }
        Long maxTokens = f.integer("max_tokens");
        int defaultMax = Math.min(GenerationRequest.DEFAULT_MAX_TOKENS, limits.maxTokens());
        if (maxTokens != null && (maxTokens < 1 || maxTokens > limits.maxTokens())) {
            throw new ApiException(ApiError.invalid("max_tokens", "max_tokens must be between 1 and "
                    + limits.maxTokens()).withLimit(limits.maxTokens()));
        }
        Double temperature = f.number("temperature");
        Double topP = f.number("top_p");
        Long topK = f.integer("top_k");
        Double minP = f.number("min_p");
        Double repeatPenalty = f.number("repeat_penalty");
        Long seed = f.integer("seed");
        String grammar = f.optionalString("grammar");
        checkGrammar(grammar);
        List<String> stop = f.stop();
        Boolean ignoreEos = f.bool("ignore_eos");
        if (topK != null && (topK < 0 || topK > Integer.MAX_VALUE)) {
            throw new ApiException(ApiError.invalid("top_k", "top_k must not be negative"));
        }
        if (seed != null && seed < 0) {
            // llama.cpp's convention: a negative seed means a random one.
            seed = null;
        }
        GenerationRequest request = new GenerationRequest(prompt,
                maxTokens == null ? defaultMax : maxTokens.intValue(),
                temperature == null ? GenerationRequest.DEFAULT_TEMPERATURE : temperature,
                topP == null ? GenerationRequest.DEFAULT_TOP_P : topP,
                topK == null ? GenerationRequest.DEFAULT_TOP_K : topK.intValue(),
                minP == null ? GenerationRequest.DEFAULT_MIN_P : minP,
                repeatPenalty == null ? GenerationRequest.DEFAULT_REPEAT_PENALTY : repeatPenalty,
                stop, seed, grammar, ignoreEos != null && ignoreEos);
        return new InferenceBody(model, request);
    }

    /** A grammar llama.cpp would refuse, mis-handle or choke on is a 400 naming the problem. */
    private static void checkGrammar(String grammar) {
        if (grammar == null || grammar.isBlank()) {
            return;
        }
        try {
            Grammar.parse(grammar);
        } catch (GrammarException e) {
            throw new ApiException(ApiError.invalid("grammar", "invalid grammar: " + e.getMessage()));
        }
    }

    /** Typed access to the fields of the JSON object. A null value is the same as an absent one. */
    private record Fields(Map<?, ?> map) {
        String requiredString(String name) {
            Object v = map.get(name);
            if (v == null) {
                throw new ApiException(ApiError.invalid(name, name + " is required"));
            }
            if (!(v instanceof String s)) {
                throw new ApiException(ApiError.invalid(name, name + " must be a string"));
            }
            return s;
        }

        String optionalString(String name) {
            Object v = map.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof String s)) {
                throw new ApiException(ApiError.invalid(name, name + " must be a string or null"));
            }
            return s;
        }

        Long integer(String name) {
            Object v = map.get(name);
            if (v == null) {
                return null;
            }
            if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                return ((Number) v).longValue();
            }
            if (v instanceof BigInteger b) {
                return b.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            // Whole numbers written as 512.0 are accepted, as Python clients sometimes send them.
            if (v instanceof Double d && Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e15) {
                return d.longValue();
            }
            if (v instanceof BigDecimal b) {
                try {
                    return b.longValueExact();
                } catch (ArithmeticException e) {
                    // reported below
                }
            }
            throw new ApiException(ApiError.invalid(name, name + " must be an integer"));
        }

        Double number(String name) {
            Object v = map.get(name);
            if (v == null) {
                return null;
            }
            if (v instanceof Number n && !(v instanceof Boolean)) {
                double d = n.doubleValue();
                if (Double.isFinite(d)) {
                    return d;
                }
            }
            throw new ApiException(ApiError.invalid(name, name + " must be a number"));
        }

        Boolean bool(String name) {
            Object v = map.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Boolean b)) {
                throw new ApiException(ApiError.invalid(name, name + " must be true or false"));
            }
            return b;
        }

        List<String> stop() {
            Object v = map.get("stop");
            if (v == null) {
                return List.of();
            }
            if (v instanceof String s) {
                return s.isEmpty() ? List.of() : List.of(s);
            }
            if (!(v instanceof List<?> list)) {
                throw new ApiException(ApiError.invalid("stop", "stop must be a list of strings or null"));
            }
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw new ApiException(ApiError.invalid("stop", "stop must be a list of strings or null"));
                }
                out.add(s);
            }
            return out;
        }
    }
}
