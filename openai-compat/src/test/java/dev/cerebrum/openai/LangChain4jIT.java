package dev.cerebrum.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cerebrum.gguf.SuccessorModel;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LangChain4j's OpenAI module ({@code dev.langchain4j:langchain4j-open-ai}), its chat model and its streaming chat
 * model, against the real server and engine on the ChatML known-answer model.
 */
class LangChain4jIT {
    private static CompatServer server;

    @BeforeAll
    static void start() {
        server = CompatServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static OpenAiChatModel.OpenAiChatModelBuilder chatModel() {
        return OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey(CompatServer.KEY)
                .modelName(CompatServer.MODEL).temperature(0.0).maxRetries(0).timeout(Duration.ofSeconds(60));
    }

    private static OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder streamingModel() {
        return OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey(CompatServer.KEY)
                .modelName(CompatServer.MODEL).temperature(0.0).timeout(Duration.ofSeconds(60));
    }

    @Test
    void chatModel_answersExactly_withTokenUsageAndFinishReason() {
        ChatResponse r = chatModel().build().chat(ChatRequest.builder()
                .messages(SystemMessage.from("You are terse."), UserMessage.from("hi")).build());

        assertEquals(SuccessorModel.CHAT_ANSWER, r.aiMessage().text());
        assertEquals(FinishReason.STOP, r.finishReason());
        // <s> <|im_start|> ▁system\nYou are terse. … the same 25 tokens as "hi" alone plus the system turn's
        assertTrue(r.tokenUsage().inputTokenCount() > 25, r.tokenUsage().toString());
        assertEquals(26, r.tokenUsage().outputTokenCount());
        assertEquals(CompatServer.MODEL, r.modelName());
        assertTrue(r.id().startsWith("chatcmpl-"), r.id());
    }

    @Test
    void chatModel_stopStringsAndMaxTokens_endTheAnswer() {
        assertEquals("abcdefghij", chatModel().stop(List.of("k")).build().chat("hi"));

        ChatResponse r = chatModel().maxTokens(3).build().chat(ChatRequest.builder().messages(UserMessage.from("hi"))
                .build());
        assertEquals("abc", r.aiMessage().text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    @Test
    void chatModel_jsonMode_andAJsonSchema_changeTheAnswer() throws Exception {
        assertEquals("{}", chatModel().responseFormat("json_object").build().chat("hi"));

        ChatResponse r = chatModel().build().chat(ChatRequest.builder().messages(UserMessage.from("hi"))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(JsonSchema.builder()
                        .name("answer").rootElement(JsonObjectSchema.builder().addEnumProperty("answer", List.of("xyz"))
                                .required("answer").build()).build()).build()).build());

        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree("{\"answer\": \"xyz\"}"), json.readTree(r.aiMessage().text()));
    }

    @Test
    void streamingModel_streamsTheAnswer_thenCompletesWithUsage() throws Exception {
        StringBuilder partials = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        streamingModel().build().chat("hi", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partialResponse) {
                partials.append(partialResponse).append('|');
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });

        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertEquals(SuccessorModel.CHAT_ANSWER, r.aiMessage().text());
        assertEquals("a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q|r|s|t|u|v|w|x|y|z|", partials.toString());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(25, r.tokenUsage().inputTokenCount());
        assertEquals(26, r.tokenUsage().outputTokenCount());
    }

    @Test
    void streamingModel_cancelledByItsHandle_freesTheSlot() throws Exception {
        double closedBefore = server.requests("chat_completions", "client_closed");
        CountDownLatch cancelled = new CountDownLatch(1);
        StringBuilder text = new StringBuilder();

        streamingModel().modelName("longchat").maxTokens(60_000)
                .customParameters(Map.of("grammar", CompatServer.ENDLESS_GRAMMAR)).build()
                .chat("hi", new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                        text.append(partial.text());
                        if (text.length() >= 10 && cancelled.getCount() > 0) {
                            context.streamingHandle().cancel();
                            cancelled.countDown();
                        }
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                    }

                    @Override
                    public void onError(Throwable error) {
                    }
                });

        assertTrue(cancelled.await(30, TimeUnit.SECONDS), "no partial response");
        long freedIn = CompatServer.await("the slot is free", Duration.ofSeconds(10),
                () -> server.slotsBusy("longchat") == 0);
        assertTrue(freedIn < 5_000, "freed in " + freedIn + " ms");
        CompatServer.await("the request is counted as closed by its client", Duration.ofSeconds(5),
                () -> server.requests("chat_completions", "client_closed") == closedBefore + 1);
        assertTrue(text.toString().startsWith("ababababab"), text.toString());
    }

    @Test
    void refusals_becomeLangChain4jsTypedExceptions() {
        assertInstanceOf(AuthenticationException.class, assertThrows(RuntimeException.class,
                () -> chatModel().apiKey("wrong").build().chat("hi")));
        assertInstanceOf(ModelNotFoundException.class, assertThrows(RuntimeException.class,
                () -> chatModel().modelName("gpt-4o").build().chat("hi")));
        InvalidRequestException invalid = assertInstanceOf(InvalidRequestException.class,
                assertThrows(RuntimeException.class, () -> chatModel().temperature(3.0).build().chat("hi")));
        assertTrue(invalid.getMessage().contains("\"param\": \"temperature\""), invalid.getMessage());
        InvalidRequestException tooLarge = assertInstanceOf(InvalidRequestException.class, assertThrows(
                RuntimeException.class, () -> chatModel().build().chat("x".repeat(CompatServer.MAX_BODY_BYTES + 1))));
        assertEquals(413, assertInstanceOf(HttpException.class, tooLarge.getCause()).statusCode());
        InternalServerException unavailable = assertInstanceOf(InternalServerException.class,
                assertThrows(RuntimeException.class, () -> chatModel().modelName("gone").build().chat("hi")));
        assertEquals(503, assertInstanceOf(HttpException.class, unavailable.getCause()).statusCode());
    }

    @Test
    void busyModelWithNoQueue_isARateLimitException() throws Exception {
        CountDownLatch streaming = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        streamingModel().modelName("longchat").maxTokens(60_000)
                .customParameters(Map.of("grammar", CompatServer.ENDLESS_GRAMMAR)).build()
                .chat("hi", new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                        streaming.countDown();
                        if (release.getCount() == 0) {
                            context.streamingHandle().cancel();
                        }
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                    }

                    @Override
                    public void onError(Throwable error) {
                    }
                });
        try {
            assertTrue(streaming.await(30, TimeUnit.SECONDS), "the long stream did not start");

            RateLimitException e = assertInstanceOf(RateLimitException.class, assertThrows(RuntimeException.class,
                    () -> chatModel().modelName("longchat").build().chat("hi")));
            assertEquals(429, assertInstanceOf(HttpException.class, e.getCause()).statusCode());
            assertTrue(e.getMessage().contains("queue_full"), e.getMessage());
        } finally {
            release.countDown();
        }
        CompatServer.await("the slot is free", Duration.ofSeconds(10), () -> server.slotsBusy("longchat") == 0);
    }
}
