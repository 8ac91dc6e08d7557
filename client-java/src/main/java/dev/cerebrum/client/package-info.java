/**
 * A typed client for the Cerebrum backend (wire contract: {@code docs/wire.md}).
 *
 * <pre>{@code
 * try (CerebrumClient client = CerebrumClient.builder()
 *         .endpoint("http://127.0.0.1:9000")
 *         .apiKey(System.getenv("CEREBRUM_API_KEY"))
 *         .build()) {
 *     InferenceResponse r = client.infer(InferenceRequest.builder("qwen_7b", "def fib(n):").maxTokens(128).build());
 *     try (InferenceStream s = client.stream(InferenceRequest.of("qwen_7b", "Hello"))) {
 *         for (StreamEvent e : (Iterable<StreamEvent>) () -> s) {
 *             if (e instanceof StreamEvent.Token t) System.out.print(t.text());
 *         }
 *     } catch (OverloadedException busy) {
 *         // 503/429 after the client's own retries: fall back to local inference
 *     }
 * }
 * }</pre>
 *
 * <p>Every failure is a {@link dev.cerebrum.client.CerebrumException}; an inference whose request
 * reached a server is never sent again by the client.
 */
package dev.cerebrum.client;
