package dev.cerebrum.server;

import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.UnknownModelException;
import dev.cerebrum.gguf.SuccessorModel;
import dev.cerebrum.guard.ModelEntry;
import dev.cerebrum.guard.ModelRegistry;
import dev.cerebrum.guard.ModelUnavailableException;
import dev.cerebrum.chat.TemplateRenderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chat prompts from real GGUF files: the file's template or the registry's, the vocabulary's special tokens. */
class ChatPromptsTest {
    private static final List<Map<String, Object>> HI = List.of(Map.of("role", "user", "content", "hi"));

    @TempDir
    Path dir;

    private Path chatModel() {
        Path file = dir.resolve("chat.gguf");
        if (!Files.exists(file)) {
            SuccessorModel.writeChatMl(file);
        }
        return file;
    }

    private Path plainModel() {
        Path file = dir.resolve("plain.gguf");
        if (!Files.exists(file)) {
            SuccessorModel.write(file);
        }
        return file;
    }

    private static ModelEntry usable(String name, Path file) {
        return new ModelEntry.Usable(name, ModelSpec.of(name, file, 512, 1, 1), 0, false);
    }

    private static ChatPrompts prompts(List<ModelEntry> entries, Map<String, String> templates) {
        return new ChatPrompts(ModelRegistry.of(entries, templates), Clock.systemUTC());
    }

    @Test
    void ggufTemplate_isRenderedWithTheGenerationPrompt() {
        ChatPrompts prompts = prompts(List.of(usable("chat", chatModel())), Map.of());

        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", prompts.render("chat", HI, null, Map.of()));
    }

    @Test
    void registryTemplate_overridesTheFiles_andSeesTheVocabularysTokens_toolsAndExtraVariables() {
        String template = "{{ bos_token }}[{{ eos_token }}|{{ tools[0]['function']['name'] }}|{{ mood }}]"
                + "{% for m in messages %}{{ m['content'] }}{% endfor %}";
        ChatPrompts prompts = prompts(List.of(usable("chat", chatModel())), Map.of("chat", template));

        String prompt = prompts.render("chat", HI, List.of(Map.of("type", "function", "function", Map.of("name", "get"))),
                Map.of("mood", "calm"));

        // "<s>" is dropped: the SentencePiece vocabulary makes llama.cpp add BOS itself, as llama-server does
        assertEquals("[</s>|get|calm]hi", prompt);
    }

    @Test
    void modelWithoutTemplate_isA400NamingTheRegistryKey() {
        ChatPrompts prompts = prompts(List.of(usable("plain", plainModel())), Map.of());

        ApiError e = assertThrows(ApiException.class, () -> prompts.render("plain", HI, null, Map.of())).error();

        assertEquals(400, e.status());
        assertEquals("no_chat_template", e.code());
        assertEquals("model", e.field());
        assertTrue(e.message().contains("model 'plain' has no chat template") && e.message().contains("chat_template:"),
                e.message());
    }

    @Test
    void templateThatDoesNotParse_isA400WithItsPosition() {
        ChatPrompts prompts = prompts(List.of(usable("plain", plainModel())), Map.of("plain", "{{ 1 + }}"));

        ApiError e = assertThrows(ApiException.class, () -> prompts.render("plain", HI, null, Map.of())).error();

        assertEquals("invalid_chat_template", e.code());
        assertTrue(e.message().startsWith("model 'plain' cannot use its chat template (the chat_template file of the "
                + "models registry): line 1, column "), e.message());
    }

    @Test
    void templateThatRaises_throwsItsRenderException() {
        ChatPrompts prompts = prompts(List.of(usable("plain", plainModel())),
                Map.of("plain", "{{ raise_exception('no system messages') }}"));

        TemplateRenderException e = assertThrows(TemplateRenderException.class,
                () -> prompts.render("plain", HI, null, Map.of()));
        assertEquals(TemplateRenderException.Reason.RAISED_BY_TEMPLATE, e.reason());
        assertEquals("no system messages", e.detail());
    }

    @Test
    void unknownOrBrokenModels_areRefusedAsTheNativeRoutesRefuseThem() {
        ChatPrompts prompts = prompts(List.of(ModelEntry.Broken.invalid("bad", "ctx_size must be an integer", 0, false),
                usable("missing", dir.resolve("missing.gguf"))), Map.of());

        assertThrows(UnknownModelException.class, () -> prompts.render("nope", HI, null, Map.of()));
        assertEquals("ctx_size must be an integer",
                assertThrows(ModelUnavailableException.class, () -> prompts.render("bad", HI, null, Map.of())).reason());
        assertEquals("model file 'missing.gguf' cannot be read",
                assertThrows(ModelUnavailableException.class, () -> prompts.render("missing", HI, null, Map.of()))
                        .reason());
    }

    @Test
    void modelFileReplaced_isReadAgain() throws IOException {
        Path file = dir.resolve("model.gguf");
        Files.copy(plainModel(), file);
        ChatPrompts prompts = prompts(List.of(usable("m", file)), Map.of());
        assertThrows(ApiException.class, () -> prompts.render("m", HI, null, Map.of()));

        Files.copy(chatModel(), file, StandardCopyOption.REPLACE_EXISTING);

        assertTrue(prompts.render("m", HI, null, Map.of()).endsWith("<|im_start|>assistant\n"));
    }
}
