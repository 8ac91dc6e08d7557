package dev.cerebrum.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

import java.util.concurrent.CompletableFuture;

/**
 * The Java snippets of the README, compiled and run by {@link ReadmeExamplesIT}, which also checks that the README
 * shows each region between the {@code README} markers word for word.
 */
final class ReadmeExamples {
    private ReadmeExamples() {
    }

    /** The OpenAI SDK snippet: one answer, then the same question streamed. Returns both texts. */
    static String[] openAiSdk(String baseUrl, String apiKey) {
        // README openai-sdk begin
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl)                       // "http://127.0.0.1:9000/v1"
                .apiKey(apiKey)                         // sent as Authorization: Bearer
                .build();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("qwen_7b")                       // a name from the models registry
                .addSystemMessage("You are a concise assistant.")
                .addUserMessage("Write a haiku about Java.")
                .temperature(0.2)
                .maxCompletionTokens(256)
                .build();
        ChatCompletion completion = client.chat().completions().create(params);
        String answer = completion.choices().getFirst().message().content().orElse("");

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream()
                    .flatMap(chunk -> chunk.choices().stream())
                    .flatMap(choice -> choice.delta().content().stream())
                    .forEach(streamed::append);         // closing the stream early cancels the generation
        }
        // README openai-sdk end
        client.close();
        return new String[]{answer, streamed.toString()};
    }

    /** The LangChain4j snippet: the chat model, then the streaming chat model. Returns both texts. */
    static String[] langChain4j(String baseUrl, String apiKey) throws Exception {
        // README langchain4j begin
        ChatModel model = OpenAiChatModel.builder()
                .baseUrl(baseUrl)                       // "http://127.0.0.1:9000/v1"
                .apiKey(apiKey)
                .modelName("qwen_7b")
                .temperature(0.2)
                .build();
        String answer = model.chat("Write a haiku about Java.");

        StreamingChatModel streaming = OpenAiStreamingChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey(apiKey)
                .modelName("qwen_7b")
                .build();
        StringBuilder streamed = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("Write a haiku about Java.", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partialResponse) {
                streamed.append(partialResponse);
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
        ChatResponse response = done.get();             // response.tokenUsage(), response.finishReason()
        // README langchain4j end
        return new String[]{answer, streamed.toString(), response.aiMessage().text()};
    }
}
