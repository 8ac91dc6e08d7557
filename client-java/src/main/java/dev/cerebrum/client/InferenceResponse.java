package dev.cerebrum.client;

import java.time.Instant;

/**
 * The answer of {@code POST /v1/inference}.
 *
 * @param result               the generated text
 * @param model                the model that generated it
 * @param tokensGenerated      exact completion tokens
 * @param inferenceTimeSeconds server-side time of the generation
 * @param timestamp            when the server answered, or null if it sent none
 * @param finishReason         why the generation ended
 * @param promptTokens         prompt tokens, or -1 if not sent
 * @param completionTokens     completion tokens, or -1 if not sent
 * @param timings              where the time went
 * @param requestId            the server's request id, or null
 */
public record InferenceResponse(String result, String model, int tokensGenerated, double inferenceTimeSeconds,
                                Instant timestamp, FinishReason finishReason, int promptTokens,
                                int completionTokens, Timings timings, String requestId) {
}
