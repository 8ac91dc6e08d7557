package dev.cerebrum.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.errors.UnexpectedStatusCodeException;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import dev.cerebrum.gguf.SuccessorModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official OpenAI Java SDK ({@code com.openai:openai-java}) against the real server and engine, on the ChatML
 * known-answer model: a ChatML conversation is answered {@value SuccessorModel#CHAT_ANSWER}, then the turn ends
 * at {@code <|im_end|>}.
 */
class OpenAiSdkIT {
    private static CompatServer server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = CompatServer.start();
        // No retries: the tests look at the first answer, refusals included.
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey(CompatServer.KEY).maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static ChatCompletionCreateParams.Builder hi() {
        return ChatCompletionCreateParams.builder().model(CompatServer.MODEL).addUserMessage("hi").temperature(0.0);
    }

    private static String content(ChatCompletion c) {
        return c.choices().getFirst().message().content().orElseThrow();
    }

    @Test
    void chat_answersExactly_andStopsAtTheTemplatesEndOfTurn() {
        ChatCompletion c = client.chat().completions().create(hi().build());

        assertEquals(SuccessorModel.CHAT_ANSWER, content(c));
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().getFirst().finishReason());
        assertEquals(CompatServer.MODEL, c.model());
        assertTrue(c.id().startsWith("chatcmpl-"), c.id());
        CompletionUsage usage = c.usage().orElseThrow();
        assertEquals(25, usage.promptTokens());
        assertEquals(26, usage.completionTokens());
        assertEquals(51, usage.totalTokens());
    }

    @Test
    void chat_withASystemMessageAndHistory_isStillRenderedByTheTemplate() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(CompatServer.MODEL).temperature(0.0).maxCompletionTokens(4)
                .addSystemMessage("You are terse.").addUserMessage("hi").addAssistantMessage("abc")
                .addUserMessage("more").build());

        assertEquals("abcd", content(c));
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, c.choices().getFirst().finishReason());
    }

    @Test
    void completions_rawPrompt_continuesIt() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model(CompatServer.MODEL)
                .prompt("abc").maxTokens(5).temperature(0.0).build());

        assertEquals("defgh", c.choices().getFirst().text());
        assertEquals(CompletionChoice.FinishReason.LENGTH, c.choices().getFirst().finishReason());
        assertEquals(5, c.usage().orElseThrow().completionTokens());
    }

    @Test
    void chatStream_withUsage_accumulatesToTheAnswer() {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(hi()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            chunks = stream.stream().peek(accumulator::accumulate).toList();
        }

        ChatCompletion c = accumulator.chatCompletion();
        assertEquals(SuccessorModel.CHAT_ANSWER, content(c));
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().getFirst().finishReason());
        // the role chunk, 26 letters, the finish chunk, then the usage chunk without choices
        assertEquals(29, chunks.size());
        ChatCompletionChunk last = chunks.getLast();
        assertTrue(last.choices().isEmpty());
        assertEquals(25, last.usage().orElseThrow().promptTokens());
        assertEquals(26, last.usage().orElseThrow().completionTokens());
    }

    @Test
    void completionStream_givesTheTextInPieces() {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(CompletionCreateParams.builder()
                .model(CompatServer.MODEL).prompt("w").temperature(0.0).build())) {
            stream.stream().forEach(c -> c.choices().forEach(choice -> text.append(choice.text())));
        }
        assertEquals("xyz", text.toString());
    }

    @Test
    void stopStrings_endTheAnswerBeforeThem() {
        ChatCompletion one = client.chat().completions().create(hi().stop("k").build());
        ChatCompletion list = client.chat().completions().create(hi().stopOfStrings(List.of("zz", "ef")).build());

        assertEquals("abcdefghij", content(one));
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, one.choices().getFirst().finishReason());
        assertEquals(10, one.usage().orElseThrow().completionTokens());
        assertEquals("abcd", content(list));
    }

    @Test
    void jsonMode_answersWithAJsonObject() {
        ChatCompletion c = client.chat().completions().create(hi()
                .responseFormat(ResponseFormatJsonObject.builder().build()).build());

        // the grammar forces '{' first (the model would say "a"), and the model follows '{' with '}'
        assertEquals("{}", content(c));
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().getFirst().finishReason());
    }

    @Test
    void jsonSchema_changesTheAnswerToTheOnlyDocumentItAllows() throws Exception {
        ResponseFormatJsonSchema.JsonSchema.Schema schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("answer",
                        Map.of("type", "string", "enum", List.of("xyz")))))
                .putAdditionalProperty("required", JsonValue.from(List.of("answer")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                .build();

        ChatCompletion c = client.chat().completions().create(hi().responseFormat(ResponseFormatJsonSchema.builder()
                .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder().name("answer").strict(true).schema(schema)
                        .build()).build()).build());

        // the only value the schema allows, with whatever whitespace between tokens the model picked
        assertEquals(new ObjectMapper().readTree("{\"answer\": \"xyz\"}"), new ObjectMapper().readTree(content(c)));
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().getFirst().finishReason());
    }

    @Test
    void models_listsTheRegisteredModels() {
        List<Model> models = client.models().list().data();

        assertEquals(List.of(CompatServer.MODEL, "longchat"), models.stream().map(Model::id).toList());
        assertEquals("cerebrum", models.getFirst().ownedBy());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void wrongKey_is401() {
        OpenAIClient wrong = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("wrong").maxRetries(0).build();
        try {
            UnauthorizedException e = assertThrows(UnauthorizedException.class,
                    () -> wrong.chat().completions().create(hi().build()));
            assertEquals(401, e.statusCode());
            assertEquals("unauthorized", e.code().orElseThrow());
            assertEquals("authentication_error", e.type().orElseThrow());
        } finally {
            wrong.close();
        }
    }

    @Test
    void unknownModel_is404() {
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> client.chat().completions().create(hi().model("gpt-4o").build()));
        assertEquals("model_not_found", e.code().orElseThrow());
        assertTrue(e.getMessage().contains("unknown model 'gpt-4o'"), e.getMessage());
    }

    @Test
    void unsupportedField_is400NamingIt() {
        BadRequestException n = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(hi().n(2).build()));
        assertEquals("n", n.param().orElseThrow());
        assertEquals("invalid_request_error", n.type().orElseThrow());

        BadRequestException range = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(hi().temperature(3.0).build()));
        assertEquals("temperature", range.param().orElseThrow());
    }

    @Test
    void bodyOverTheLimit_is413() {
        UnexpectedStatusCodeException e = assertThrows(UnexpectedStatusCodeException.class,
                () -> client.chat().completions().create(ChatCompletionCreateParams.builder().model(CompatServer.MODEL)
                        .addUserMessage("x".repeat(CompatServer.MAX_BODY_BYTES + 1)).build()));
        assertEquals(413, e.statusCode());
        assertEquals("payload_too_large", e.code().orElseThrow());
    }

    @Test
    void missingModelFile_is503WithRetryAfter() {
        InternalServerException e = assertThrows(InternalServerException.class,
                () -> client.chat().completions().create(hi().model("gone").build()));
        assertEquals(503, e.statusCode());
        assertEquals("model_unavailable", e.code().orElseThrow());
        assertEquals(List.of("5"), e.headers().values("Retry-After"));
    }

    @Test
    void busyModelWithNoQueue_is429WithRetryAfter_andClosingTheStreamFreesTheSlot() {
        try (StreamResponse<ChatCompletionChunk> busy = client.chat().completions().createStreaming(endless())) {
            Iterator<ChatCompletionChunk> chunks = busy.stream().iterator();
            assertTrue(chunks.next().choices().getFirst().delta().role().isPresent());
            assertEquals(1, server.slotsBusy("longchat"));

            RateLimitException e = assertThrows(RateLimitException.class,
                    () -> client.chat().completions().create(hi().model("longchat").build()));
            assertEquals("queue_full", e.code().orElseThrow());
            assertEquals(List.of("5"), e.headers().values("Retry-After"));
        }
        CompatServer.await("the slot is free", Duration.ofSeconds(10), () -> server.slotsBusy("longchat") == 0);
    }

    @Test
    void streamClosedEarly_freesTheSlot_longBeforeTheGenerationWouldEnd() {
        double closedBefore = server.requests("chat_completions", "client_closed");
        long closedAfter;
        long opened = System.nanoTime();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(endless())) {
            Iterator<ChatCompletionChunk> chunks = stream.stream().iterator();
            StringBuilder text = new StringBuilder();
            while (text.length() < 10) {
                chunks.next().choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            }
            assertEquals("ababababab", text.toString());
            assertEquals(1, server.slotsBusy("longchat"));
            closedAfter = (System.nanoTime() - opened) / 1_000_000;
        }
        long freedIn = CompatServer.await("the slot is free", Duration.ofSeconds(10),
                () -> server.slotsBusy("longchat") == 0);
        // the server noticed the closed connection and cancelled the generation, long before its 60,000 tokens
        assertTrue(freedIn < 5_000, "freed in " + freedIn + " ms after " + closedAfter + " ms of streaming");
        CompatServer.await("the request is counted as closed by its client", Duration.ofSeconds(5),
                () -> server.requests("chat_completions", "client_closed") == closedBefore + 1);
    }

    @Test
    void errorAfterTheStreamStarted_isAnSseExceptionWithTheMessage() {
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(endless())) {
            Iterator<ChatCompletionChunk> chunks = stream.stream().iterator();
            assertTrue(chunks.next().choices().getFirst().delta().role().isPresent());

            server.forceUnload("longchat");

            SseException e = assertThrows(SseException.class, () -> {
                while (chunks.hasNext()) {
                    chunks.next();
                }
            });
            // the SDK puts the stream's status before the event's message
            assertEquals("200: the generation was cancelled: the model was unloaded", e.getMessage());
            assertEquals("unavailable_error", e.type().orElseThrow());
        }
    }

    /** A chat stream on the long model that never ends by itself: only "ab" again and again, 60,000 tokens. */
    private static ChatCompletionCreateParams endless() {
        return hi().model("longchat").maxCompletionTokens(60_000)
                .putAdditionalBodyProperty("grammar", JsonValue.from(CompatServer.ENDLESS_GRAMMAR)).build();
    }

    @Test
    void serviceExceptions_carryTheOpenAiErrorFields() {
        OpenAIServiceException e = assertThrows(BadRequestException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model(CompatServer.MODEL).addUserMessage("hi")
                        .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema
                                .builder().name("x").schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                        .putAdditionalProperty("type", JsonValue.from("string"))
                                        .putAdditionalProperty("pattern", JsonValue.from("[a-z]+")).build()).build())
                                .build()).build()));
        assertEquals("response_format", e.param().orElseThrow());
        assertEquals("invalid_request", e.code().orElseThrow());
        assertTrue(e.getMessage().contains("pattern"), e.getMessage());
    }
}
