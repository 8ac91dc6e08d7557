package dev.cerebrum.client;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The body of {@code POST /v1/inference} and {@code /v1/inference/stream}. A null optional field
 * is not sent, so the server applies its default (max_tokens 512, temperature 0.2, …). The client
 * checks no ranges: the server's 400 comes back as {@link InvalidRequestException} naming the field.
 *
 * @param model         registered model name (required)
 * @param prompt        raw prompt text (required)
 * @param maxTokens     most completion tokens, or null for the server default
 * @param temperature   sampling temperature, 0 is greedy, or null
 * @param stop          stop strings, or null
 * @param topP          nucleus sampling, or null
 * @param topK          top-k sampling, or null
 * @param minP          min-p sampling, or null
 * @param repeatPenalty repeat penalty, 1 disables, or null
 * @param seed          sampling seed, or null
 * @param grammar       a GBNF grammar, or null
 * @param ignoreEos     keep generating past end of sequence (benchmarks), or null for false
 */
public record InferenceRequest(String model, String prompt, Integer maxTokens, Double temperature, List<String> stop,
                               Double topP, Integer topK, Double minP, Double repeatPenalty, Long seed,
                               String grammar, Boolean ignoreEos) {

    public InferenceRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        stop = stop == null ? null : List.copyOf(stop);
    }

    /** A request with every optional field left to the server's default. */
    public static InferenceRequest of(String model, String prompt) {
        return builder(model, prompt).build();
    }

    /** A builder for the optional fields. */
    public static Builder builder(String model, String prompt) {
        return new Builder(model, prompt);
    }

    /** Builds an {@link InferenceRequest}; unset fields are not sent. Not thread-safe. */
    public static final class Builder {
        private final String model;
        private final String prompt;
        private Integer maxTokens;
        private Double temperature;
        private List<String> stop;
        private Double topP;
        private Integer topK;
        private Double minP;
        private Double repeatPenalty;
        private Long seed;
        private String grammar;
        private Boolean ignoreEos;

        private Builder(String model, String prompt) {
            this.model = Objects.requireNonNull(model, "model");
            this.prompt = Objects.requireNonNull(prompt, "prompt");
        }

        /** Most completion tokens; sent as is, never capped by the client. */
        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        /** Sampling temperature; 0 is greedy. */
        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** Stop strings. */
        public Builder stop(List<String> stop) {
            this.stop = stop;
            return this;
        }

        /** Stop strings. */
        public Builder stop(String... stop) {
            this.stop = Arrays.asList(stop);
            return this;
        }

        /** Nucleus sampling threshold. */
        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        /** Top-k sampling; 0 disables. */
        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        /** Min-p sampling; 0 disables. */
        public Builder minP(double minP) {
            this.minP = minP;
            return this;
        }

        /** Repeat penalty; 1 disables. */
        public Builder repeatPenalty(double repeatPenalty) {
            this.repeatPenalty = repeatPenalty;
            return this;
        }

        /** Sampling seed. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** A GBNF grammar that constrains the output. */
        public Builder grammar(String grammar) {
            this.grammar = grammar;
            return this;
        }

        /** Keep generating past end of sequence, so a run always yields max_tokens tokens (benchmarks). */
        public Builder ignoreEos(boolean ignoreEos) {
            this.ignoreEos = ignoreEos;
            return this;
        }

        /** Deterministic decoding: temperature 0 and no repeat penalty. */
        public Builder greedy() {
            this.temperature = 0.0;
            this.repeatPenalty = 1.0;
            return this;
        }

        /** The request. */
        public InferenceRequest build() {
            return new InferenceRequest(model, prompt, maxTokens, temperature, stop, topP, topK, minP,
                    repeatPenalty, seed, grammar, ignoreEos);
        }
    }
}
