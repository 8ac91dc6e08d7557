package dev.cerebrum.server;

import dev.cerebrum.chat.ChatTemplate;
import dev.cerebrum.chat.TemplateInput;
import dev.cerebrum.chat.TemplateSyntaxException;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.UnknownModelException;
import dev.cerebrum.gguf.GgufFile;
import dev.cerebrum.gguf.GgufReader;
import dev.cerebrum.gguf.GgufValue;
import dev.cerebrum.gguf.GgufValueType;
import dev.cerebrum.guard.ModelEntry;
import dev.cerebrum.guard.ModelRegistry;
import dev.cerebrum.guard.ModelUnavailableException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.lang.System.Logger.Level;

/**
 * The prompt of a chat request: the model's chat template rendered with the conversation, as Hugging Face
 * transformers and llama-server render it. The template is the registry's {@code chat_template} when it sets
 * one, else the GGUF file's {@code tokenizer.chat_template}; {@code bos_token} and {@code eos_token} are the
 * vocabulary's texts, and {@code add_generation_prompt} is true. Message content is data to the template, never
 * template code. A model's file is read and its template parsed once, and again only when the file changes.
 */
final class ChatPrompts {
    /** The registry key that sets a model's chat template. */
    static final String REGISTRY_KEY = "chat_template";
    private static final System.Logger LOG = System.getLogger(ChatPrompts.class.getName());

    private final ModelRegistry registry;
    private final Clock clock;
    /** The registry's templates, parsed at start: a template, or why it cannot be used. */
    private final Map<String, Parsed> overrides = new LinkedHashMap<>();
    private final Map<String, Setup> setups = new ConcurrentHashMap<>();

    ChatPrompts(ModelRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        for (ModelEntry entry : registry.entries()) {
            registry.chatTemplate(entry.name()).ifPresent(source -> {
                Parsed parsed = Parsed.of(source, "the chat_template file of the models registry");
                if (parsed.problem() != null) {
                    LOG.log(Level.WARNING, "model '" + entry.name() + "': " + parsed.problem());
                }
                overrides.put(entry.name(), parsed);
            });
        }
    }

    /**
     * Renders the prompt for {@code messages} (and {@code tools}, null for none) with the model's template.
     *
     * @param extraVariables more template variables ({@code chat_template_kwargs}, such as {@code enable_thinking})
     * @throws UnknownModelException      when no such model is registered
     * @throws ModelUnavailableException  when its registry entry or its file cannot be used
     * @throws ApiException               (400) when the model has no usable chat template
     * @throws dev.cerebrum.chat.TemplateRenderException when the template refuses the conversation
     */
    String render(String model, List<Map<String, Object>> messages, List<Map<String, Object>> tools,
                  Map<String, Object> extraVariables) {
        Setup setup = setup(model);
        if (setup.template().template() == null) {
            throw new ApiException(new ApiError(400, setup.template().source() == null ? "no_chat_template"
                    : "invalid_chat_template", "model '" + Errors.shortName(model) + "' "
                    + (setup.template().source() == null ? "has no chat template: its GGUF file carries no "
                    + "tokenizer.chat_template" : setup.template().problem())
                    + ". Set " + REGISTRY_KEY + ": in the models registry to a Jinja template file, or send a raw "
                    + "prompt to /v1/completions", "model", null, null, null));
        }
        TemplateInput input;
        try {
            input = new TemplateInput(messages, tools, true, setup.bos(), setup.eos(), extraVariables, clock);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.invalid("messages", Errors.safe(e.getMessage())));
        }
        String prompt = setup.template().template().render(input);
        // As llama-server does: llama.cpp adds BOS (or EOS) itself when the vocabulary says so, so a template
        // that writes it too would double it.
        if (setup.addBos() && setup.bos() != null && !setup.bos().isEmpty() && prompt.startsWith(setup.bos())) {
            prompt = prompt.substring(setup.bos().length());
        }
        if (setup.addEos() && setup.eos() != null && !setup.eos().isEmpty() && prompt.endsWith(setup.eos())) {
            prompt = prompt.substring(0, prompt.length() - setup.eos().length());
        }
        return prompt;
    }

    private Setup setup(String model) {
        ModelEntry entry = registry.find(model).orElseThrow(() -> new UnknownModelException(model));
        Path file = switch (entry) {
            case ModelEntry.Usable usable -> usable.spec().path();
            case ModelEntry.Broken broken -> broken.spec().map(ModelSpec::path)
                    .orElseThrow(() -> new ModelUnavailableException(model, broken.reason()));
        };
        Object stamp = stamp(model, file);
        Setup setup = setups.get(model);
        if (setup == null || !setup.stamp().equals(stamp)) {
            setup = read(model, file, stamp);
            setups.put(model, setup);
        }
        return setup;
    }

    /** What tells a changed file: its size, modification time and file key (inode). */
    private static Object stamp(String model, Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
        } catch (IOException e) {
            throw new ModelUnavailableException(model, "model file '" + file.getFileName()
                    + "' cannot be read");
        }
    }

    private Setup read(String model, Path file, Object stamp) {
        GgufFile gguf;
        try {
            gguf = GgufReader.read(file);
        } catch (InvalidModelException e) {
            throw new ModelUnavailableException(model, Errors.safe(e.getMessage()));
        }
        Parsed template = Optional.ofNullable(overrides.get(model)).orElseGet(() -> {
            Optional<GgufValue> source = gguf.get("tokenizer.chat_template").filter(v -> v.type() == GgufValueType.STRING);
            if (source.isEmpty()) {
                return Parsed.NONE;
            }
            Parsed parsed = Parsed.of(source.get().asString(), "the tokenizer.chat_template of its GGUF file");
            if (parsed.problem() != null) {
                LOG.log(Level.WARNING, "model '" + model + "': " + parsed.problem());
            }
            return parsed;
        });
        String vocabularyModel = gguf.get("tokenizer.ggml.model").filter(v -> v.type() == GgufValueType.STRING)
                .map(GgufValue::asString).orElse("");
        // llama.cpp's defaults when the file does not say: SentencePiece and WordPiece vocabularies add BOS.
        boolean addBos = flag(gguf, "tokenizer.ggml.add_bos_token", "llama".equals(vocabularyModel)
                || "bert".equals(vocabularyModel));
        boolean addEos = flag(gguf, "tokenizer.ggml.add_eos_token", false);
        return new Setup(stamp, template, tokenText(gguf, "tokenizer.ggml.bos_token_id"),
                tokenText(gguf, "tokenizer.ggml.eos_token_id"), addBos, addEos);
    }

    private static boolean flag(GgufFile gguf, String key, boolean fallback) {
        return gguf.get(key).filter(v -> v.type() == GgufValueType.BOOL).map(GgufValue::asBoolean).orElse(fallback);
    }

    /** The text of the token whose id {@code key} holds, or null when the file names none. */
    private static String tokenText(GgufFile gguf, String key) {
        Optional<GgufValue> id = gguf.get(key).filter(v -> v.type().isInteger());
        Optional<GgufValue> tokens = gguf.get("tokenizer.ggml.tokens").filter(v -> v.type() == GgufValueType.ARRAY);
        if (id.isEmpty() || tokens.isEmpty()) {
            return null;
        }
        long i = id.get().asLong();
        List<Object> texts = tokens.get().asArray().elements();
        return i >= 0 && i < texts.size() && texts.get((int) i) instanceof String s ? s : null;
    }

    /** A model's chat setup, valid while its file keeps its stamp. */
    private record Setup(Object stamp, Parsed template, String bos, String eos, boolean addBos, boolean addEos) {
    }

    /**
     * A template source and the parsed template, or why it cannot be used.
     *
     * @param source   the Jinja source, null when the model has none
     * @param template the parsed template, null when there is none or it does not parse
     * @param problem  why it cannot be used, null when it can
     */
    private record Parsed(String source, ChatTemplate template, String problem) {
        static final Parsed NONE = new Parsed(null, null, null);

        static Parsed of(String source, String where) {
            try {
                return new Parsed(source, ChatTemplate.parse(source), null);
            } catch (TemplateSyntaxException e) {
                return new Parsed(source, null, "cannot use its chat template (" + where + "): line " + e.line()
                        + ", column " + e.column() + ": " + Errors.safe(e.problem()));
            }
        }
    }
}
