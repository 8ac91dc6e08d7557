package dev.cerebrum.server;

import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAI-compatible routes {@code /v1/chat/completions} (the model's chat template applied) and
 * {@code /v1/completions} (a raw prompt), on the same {@link Generations} core as the native API: the same
 * authentication, limits, queueing, refusals and cancellation. Answers and stream chunks have OpenAI's shapes;
 * errors have OpenAI's body ({@link Errors#send}).
 */
final class OpenAiService implements HttpService {
    /** The event that ends an OpenAI stream. */
    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final Generations generations;
    private final ChatPrompts prompts;
    private final InferenceBody.Limits limits;

    OpenAiService(Generations generations, ChatPrompts prompts, InferenceBody.Limits limits) {
        this.generations = generations;
        this.prompts = prompts;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/chat/completions", this::chat)
                .post("/v1/completions", this::completions);
    }

    private void chat(ServerRequest req, ServerResponse res) {
        Exchange ex = Exchange.of(req);
        OpenAiRequest body = OpenAiRequest.chat(InferenceBody.read(req, limits), limits);
        ex.model(body.model());
        String prompt = prompts.render(body.model(), body.messages(), body.tools(), body.templateVariables());
        InferenceBody.checkPromptLength("messages", "the chat prompt rendered from messages", prompt, limits);
        answer(ex, res, body, prompt, Kind.CHAT);
    }

    private void completions(ServerRequest req, ServerResponse res) {
        Exchange ex = Exchange.of(req);
        OpenAiRequest body = OpenAiRequest.completion(InferenceBody.read(req, limits), limits);
        ex.model(body.model());
        answer(ex, res, body, body.prompt(), Kind.COMPLETION);
    }

    private void answer(Exchange ex, ServerResponse res, OpenAiRequest body, String prompt, Kind kind) {
        Answer answer = new Answer(kind, kind.idPrefix + ex.requestId, Instant.now().getEpochSecond(), body.model(),
                body.includeUsage());
        if (body.stream()) {
            generations.stream(ex, body.model(), body.generation(prompt), res, answer);
        } else {
            Responses.json(res, 200, answer.response(generations.complete(ex, body.model(), body.generation(prompt))));
        }
    }

    /** The two routes' shapes. */
    private enum Kind {
        CHAT("chatcmpl-", "chat.completion", "chat.completion.chunk"),
        COMPLETION("cmpl-", "text_completion", "text_completion");

        final String idPrefix;
        final String object;
        final String chunkObject;

        Kind(String idPrefix, String object, String chunkObject) {
            this.idPrefix = idPrefix;
            this.object = object;
            this.chunkObject = chunkObject;
        }
    }

    /** One answer: the whole response, or its stream of chunks. */
    private static final class Answer implements EventFormat {
        private final Kind kind;
        private final String id;
        private final long created;
        private final String model;
        private final boolean includeUsage;
        private boolean roleSent;

        Answer(Kind kind, String id, long created, String model, boolean includeUsage) {
            this.kind = kind;
            this.id = id;
            this.created = created;
            this.model = model;
            this.includeUsage = includeUsage;
        }

        Map<String, Object> response(Generations.Completed done) {
            GenerationEvent.Finished f = done.finished();
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            if (kind == Kind.CHAT) {
                Map<String, Object> message = new LinkedHashMap<>();
                message.put("role", "assistant");
                message.put("content", done.text());
                message.put("refusal", null);
                choice.put("message", message);
            } else {
                choice.put("text", done.text());
            }
            choice.put("logprobs", null);
            choice.put("finish_reason", finishReason(f.reason()));
            Map<String, Object> body = head(kind.object);
            body.put("choices", List.of(choice));
            body.put("usage", usage(f));
            body.put("timings", InferenceService.timings(f.timings()));
            if (f.failure() == FailureKind.DEADLINE) {
                body.put("deadline_exceeded", true);
            }
            return body;
        }

        @Override
        public byte[] token(GenerationEvent.Token token) {
            if (token.text().isEmpty()) {
                return new byte[0];
            }
            return join(roleChunk(), chunk(kind == Kind.CHAT ? Map.of("content", token.text()) : null,
                    token.text(), null, false));
        }

        @Override
        public byte[] finished(GenerationEvent.Finished f, double seconds) {
            List<byte[]> events = new ArrayList<>();
            events.add(roleChunk());
            events.add(chunk(kind == Kind.CHAT ? Map.of() : null, "", finishReason(f.reason()),
                    f.failure() == FailureKind.DEADLINE));
            if (includeUsage) {
                Map<String, Object> last = head(kind.chunkObject);
                last.put("choices", List.of());
                last.put("usage", usage(f));
                last.put("timings", InferenceService.timings(f.timings()));
                events.add(Generations.data(last));
            }
            events.add(DONE);
            return join(events.toArray(byte[][]::new));
        }

        @Override
        public byte[] error(String message, FinishReason reason, boolean unavailable, String requestId) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", message);
            error.put("type", unavailable ? "unavailable_error" : "server_error");
            error.put("code", reason == FinishReason.CANCELLED ? "cancelled" : unavailable ? "unavailable"
                    : "internal_error");
            error.put("param", null);
            return Generations.data(Map.of("error", error));
        }

        /** The chunk that opens a chat stream's message, once, before its first text. */
        private byte[] roleChunk() {
            if (kind != Kind.CHAT || roleSent) {
                return new byte[0];
            }
            roleSent = true;
            Map<String, Object> delta = new LinkedHashMap<>();
            delta.put("role", "assistant");
            delta.put("content", "");
            return chunk(delta, null, null, false);
        }

        /**
         * A stream chunk: a chat {@code delta}, or a completion's {@code text}; the last one says whether the
         * deadline cut the generation short.
         */
        private byte[] chunk(Map<String, Object> delta, String text, String finishReason, boolean deadline) {
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            if (kind == Kind.CHAT) {
                choice.put("delta", delta);
            } else {
                choice.put("text", text);
            }
            choice.put("logprobs", null);
            choice.put("finish_reason", finishReason);
            Map<String, Object> chunk = head(kind.chunkObject);
            chunk.put("choices", List.of(choice));
            if (includeUsage) {
                // As OpenAI: with include_usage every chunk has "usage", null until the last.
                chunk.put("usage", null);
            }
            if (deadline) {
                chunk.put("deadline_exceeded", true);
            }
            return Generations.data(chunk);
        }

        private Map<String, Object> head(String object) {
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("id", id);
            head.put("object", object);
            head.put("created", created);
            head.put("model", model);
            return head;
        }

        private static Map<String, Object> usage(GenerationEvent.Finished f) {
            Map<String, Object> usage = new LinkedHashMap<>();
            usage.put("prompt_tokens", f.promptTokens());
            usage.put("completion_tokens", f.completionTokens());
            usage.put("total_tokens", f.promptTokens() + f.completionTokens());
            usage.put("prompt_tokens_details", Map.of("cached_tokens", f.timings().cachedTokens()));
            return usage;
        }

        private static String finishReason(FinishReason reason) {
            return reason == FinishReason.LENGTH ? "length" : "stop";
        }

        private static byte[] join(byte[]... parts) {
            int length = 0;
            for (byte[] p : parts) {
                length += p.length;
            }
            byte[] all = new byte[length];
            int at = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return all;
        }
    }
}
