package dev.cerebrum.server;

import dev.cerebrum.chat.TemplateInput;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.grammar.JsonSchemaGrammars;
import dev.cerebrum.grammar.UnsupportedSchemaException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code /v1/chat/completions} or {@code /v1/completions}, read and checked as OpenAI documents it
 * and llama-server accepts it (with its extensions {@code top_k}, {@code min_p}, {@code repeat_penalty},
 * {@code grammar} and {@code chat_template_kwargs}). Fields that would change the answer but are not supported ({@code n} above 1,
 * {@code logprobs}, {@code logit_bias}, {@code echo}, {@code suffix}, {@code best_of}, non-text content parts)
 * are refused with a 400 naming them; other unknown fields are ignored, as OpenAI clients send many.
 *
 * @param model             the registry name
 * @param messages          the conversation (chat), each content a string; null for a completion
 * @param tools             the tool definitions for the template, or null
 * @param templateVariables extra template variables ({@code chat_template_kwargs})
 * @param prompt            the raw prompt (completion); null for chat
 * @param sampling          the sampling fields, with llama-server's defaults
 * @param maxTokens         the token limit
 * @param grammar           the grammar of {@code response_format} or of {@code grammar}, or null
 * @param stream            answer with Server-Sent Events
 * @param includeUsage      end a stream with a usage chunk ({@code stream_options.include_usage})
 */
record OpenAiRequest(String model, List<Map<String, Object>> messages, List<Map<String, Object>> tools,
                     Map<String, Object> templateVariables, String prompt, Sampling sampling, int maxTokens,
                     String grammar, boolean stream, boolean includeUsage) {

    /** The roles a message may have; {@code developer} is OpenAI's newer name for {@code system}. */
    static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool", "developer");

    /** Parses a chat completion body. */
    static OpenAiRequest chat(byte[] body, InferenceBody.Limits limits) {
        JsonFields f = JsonFields.ofBody(body);
        String model = InferenceBody.model(f);
        List<Map<String, Object>> messages = messages(f);
        List<Map<String, Object>> tools = objects(f, "tools");
        Map<String, Object> variables = templateVariables(f);
        Boolean logprobs = f.bool("logprobs");
        if (logprobs != null && logprobs) {
            throw f.invalid("logprobs", "logprobs are not supported");
        }
        Long topLogprobs = f.integer("top_logprobs");
        if (topLogprobs != null && topLogprobs > 0) {
            throw f.invalid("top_logprobs", "logprobs are not supported");
        }
        Integer maxTokens = InferenceBody.maxTokens(f, "max_completion_tokens", limits);
        if (maxTokens == null) {
            maxTokens = InferenceBody.maxTokens(f, "max_tokens", limits);
        }
        return common(f, model, messages, tools, variables, null, maxTokens, limits);
    }

    /** Parses a (legacy) completion body: a raw prompt, no template. */
    static OpenAiRequest completion(byte[] body, InferenceBody.Limits limits) {
        JsonFields f = JsonFields.ofBody(body);
        String model = InferenceBody.model(f);
        String prompt = completionPrompt(f);
        InferenceBody.checkPromptLength("prompt", "prompt", prompt, limits);
        if (f.raw("logprobs") != null) {
            throw f.invalid("logprobs", "logprobs are not supported");
        }
        Boolean echo = f.bool("echo");
        if (echo != null && echo) {
            throw f.invalid("echo", "echo is not supported");
        }
        String suffix = f.optionalString("suffix");
        if (suffix != null && !suffix.isEmpty()) {
            throw f.invalid("suffix", "suffix is not supported");
        }
        Long bestOf = f.integer("best_of");
        if (bestOf != null && bestOf != 1) {
            throw f.invalid("best_of", "best_of must be 1: one choice per request is supported");
        }
        Integer maxTokens = InferenceBody.maxTokens(f, "max_tokens", limits);
        return common(f, model, null, null, Map.of(), prompt, maxTokens, limits);
    }

    private static OpenAiRequest common(JsonFields f, String model, List<Map<String, Object>> messages,
                                        List<Map<String, Object>> tools, Map<String, Object> variables,
                                        String prompt, Integer maxTokens, InferenceBody.Limits limits) {
        Long n = f.integer("n");
        if (n != null && n != 1) {
            throw f.invalid("n", "n must be 1: one choice per request is supported");
        }
        Object logitBias = f.raw("logit_bias");
        if (logitBias instanceof Map<?, ?> bias && !bias.isEmpty()) {
            throw f.invalid("logit_bias", "logit_bias is not supported");
        }
        Sampling sampling = Sampling.read(f, Sampling.LLAMA_SERVER);
        String grammar = responseFormat(f);
        // llama-server's extension: a GBNF grammar, checked as on the native API.
        String gbnf = f.optionalString("grammar");
        InferenceBody.checkGrammar(gbnf);
        if (gbnf != null && !gbnf.isBlank()) {
            if (grammar != null) {
                throw f.invalid("grammar", "grammar cannot be combined with a JSON response_format");
            }
            grammar = gbnf;
        }
        Boolean stream = f.bool("stream");
        JsonFields streamOptions = f.object("stream_options");
        Boolean includeUsage = streamOptions == null ? null : streamOptions.bool("include_usage");
        OpenAiRequest request = new OpenAiRequest(model, messages, tools, variables, prompt, sampling,
                maxTokens == null ? limits.maxTokens() : maxTokens, grammar, stream != null && stream,
                includeUsage != null && includeUsage);
        // The ranges are checked now, before a template is rendered; the prompt is checked when it is known.
        request.generation(prompt == null ? "-" : prompt);
        return request;
    }

    /** The generation to run for {@code prompt}; throws {@code InvalidRequestException} naming a field. */
    GenerationRequest generation(String text) {
        return sampling.request(text, maxTokens, grammar, false);
    }

    /** {@code prompt}: a string, or a list of exactly one string. */
    private static String completionPrompt(JsonFields f) {
        Object v = f.raw("prompt");
        if (v instanceof List<?> list) {
            if (list.size() != 1 || !(list.getFirst() instanceof String only)) {
                throw f.invalid("prompt", "prompt must be a string or a list of one string: one prompt per request"
                        + " is supported, and token arrays are not");
            }
            return only;
        }
        return f.requiredString("prompt");
    }

    /** {@code messages}: objects with a known role and string or text-part content. */
    private static List<Map<String, Object>> messages(JsonFields f) {
        List<?> raw = f.list("messages");
        if (raw == null) {
            throw f.invalid("messages", "messages is required");
        }
        if (raw.isEmpty()) {
            throw f.invalid("messages", "messages must not be empty");
        }
        List<Map<String, Object>> messages = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            String at = "messages[" + i + "]";
            if (!(raw.get(i) instanceof Map<?, ?> m)) {
                throw invalid(at, at + " must be an object");
            }
            Map<String, Object> message = new LinkedHashMap<>();
            m.forEach((k, v) -> message.put(String.valueOf(k), v));
            Object role = message.get("role");
            if (!(role instanceof String r) || !ROLES.contains(r)) {
                throw invalid(at + ".role", at + ".role must be one of system, user, assistant, tool, developer");
            }
            if (r.equals("developer")) {
                message.put("role", "system");
            }
            message.put("content", content(message.get("content"), r, at));
            messages.add(message);
        }
        return messages;
    }

    /** A message's content as a string: text parts are joined with newlines, as llama-server joins them. */
    private static String content(Object content, String role, String at) {
        return switch (content) {
            case null -> {
                if (!role.equals("assistant")) {
                    throw invalid(at + ".content", at + ".content is required");
                }
                yield null;
            }
            case String s -> s;
            case List<?> parts -> {
                StringBuilder text = new StringBuilder();
                for (int j = 0; j < parts.size(); j++) {
                    String partAt = at + ".content[" + j + "]";
                    if (!(parts.get(j) instanceof Map<?, ?> part) || !(part.get("type") instanceof String type)) {
                        throw invalid(partAt, partAt + " must be an object with a type");
                    }
                    if (!type.equals("text")) {
                        throw invalid(partAt + ".type", "only text content parts are supported, not '"
                                + Errors.shortName(type) + "'");
                    }
                    if (!(part.get("text") instanceof String partText)) {
                        throw invalid(partAt + ".text", partAt + ".text must be a string");
                    }
                    if (!text.isEmpty()) {
                        text.append('\n');
                    }
                    text.append(partText);
                }
                yield text.toString();
            }
            default -> throw invalid(at + ".content", at + ".content must be a string or a list of text parts");
        };
    }

    /** A list of objects (for example {@code tools}), or null. */
    private static List<Map<String, Object>> objects(JsonFields f, String name) {
        List<?> raw = f.list(name);
        if (raw == null) {
            return null;
        }
        List<Map<String, Object>> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            if (!(raw.get(i) instanceof Map<?, ?> m)) {
                throw invalid(name + "[" + i + "]", name + "[" + i + "] must be an object");
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), v));
            out.add(copy);
        }
        return out;
    }

    /** {@code chat_template_kwargs}: extra template variables, as llama-server takes them. */
    private static Map<String, Object> templateVariables(JsonFields f) {
        JsonFields kwargs = f.object("chat_template_kwargs");
        if (kwargs == null) {
            return Map.of();
        }
        Map<String, Object> variables = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : kwargs.map().entrySet()) {
            String name = String.valueOf(e.getKey());
            if (TemplateInput.RESERVED_NAMES.contains(name)) {
                throw f.invalid("chat_template_kwargs", "chat_template_kwargs may not set '" + name + "'");
            }
            variables.put(name, e.getValue());
        }
        return variables;
    }

    /** The grammar {@code response_format} asks for: none for text, any JSON object, or a JSON schema's. */
    private static String responseFormat(JsonFields f) {
        JsonFields format = f.object("response_format");
        if (format == null) {
            return null;
        }
        String type = format.requiredString("type");
        try {
            return switch (type) {
                case "text" -> null;
                case "json_object" -> format.raw("schema") == null ? JsonSchemaGrammars.jsonObject().text()
                        : JsonSchemaGrammars.fromSchema(format.raw("schema")).text();
                case "json_schema" -> {
                    JsonFields jsonSchema = format.object("json_schema");
                    if (jsonSchema == null) {
                        throw format.invalid("json_schema", "response_format.json_schema is required");
                    }
                    Object schema = jsonSchema.raw("schema");
                    if (!(schema instanceof Map<?, ?>)) {
                        throw jsonSchema.invalid("schema", "response_format.json_schema.schema must be a JSON schema"
                                + " object");
                    }
                    yield JsonSchemaGrammars.fromSchema(schema).text();
                }
                default -> throw format.invalid("type", "response_format.type must be text, json_object or"
                        + " json_schema");
            };
        } catch (UnsupportedSchemaException e) {
            // The message names a JSON pointer into the client's own schema, which is no path to hide.
            throw new ApiException(ApiError.invalid("response_format", "response_format: "
                    + Errors.bounded(e.getMessage())));
        }
    }

    private static ApiException invalid(String param, String message) {
        return new ApiException(ApiError.invalid(param, message));
    }
}
