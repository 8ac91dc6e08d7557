package dev.cerebrum.chat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a chat template is rendered with, as Hugging Face transformers passes it: {@code messages},
 * {@code tools}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} and extra variables
 * (such as {@code enable_thinking}). Values are JSON-like (String, Number, Boolean, null, List, Map with
 * String keys), exactly as a JSON parser returns OpenAI messages; they are deep-copied, so the record is
 * immutable. The template receives them as data: their text is never interpreted as template code.
 *
 * @param messages            the conversation, for example {@code {"role": "user", "content": "Hi"}}
 * @param tools               the tool definitions, or null when the request has none (the template sees None)
 * @param addGenerationPrompt whether to end with the assistant's turn header
 * @param bosToken            the vocabulary's BOS text, or null to leave {@code bos_token} undefined
 * @param eosToken            the vocabulary's EOS text, or null to leave {@code eos_token} undefined
 * @param extraVariables      more top-level variables; they may not reuse the names above or {@code documents}
 * @param clock               the clock behind {@code strftime_now}
 */
public record TemplateInput(List<Map<String, Object>> messages, List<Map<String, Object>> tools,
                            boolean addGenerationPrompt, String bosToken, String eosToken,
                            Map<String, Object> extraVariables, Clock clock) {

    /** Names the renderer sets itself, which extra variables may not override. */
    public static final Set<String> RESERVED_NAMES = Set.of(
            "messages", "tools", "documents", "add_generation_prompt", "bos_token", "eos_token");

    private static final int MAX_INPUT_NESTING = 1000;

    /** Validates and deep-copies the values. */
    public TemplateInput {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(extraVariables, "extraVariables");
        Objects.requireNonNull(clock, "clock");
        messages = freezeObjects(messages, "messages");
        tools = tools == null ? null : freezeObjects(tools, "tools");
        for (String name : extraVariables.keySet()) {
            if (name == null || RESERVED_NAMES.contains(name)) {
                throw new IllegalArgumentException("extra variable name is reserved or null: " + name);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> extras = (Map<String, Object>) freeze(extraVariables, "extraVariables", 0);
        extraVariables = extras;
    }

    /** Messages with a generation prompt, no tools, no special tokens, no extras, and the system clock. */
    public static TemplateInput of(List<Map<String, Object>> messages) {
        return new TemplateInput(messages, null, true, null, null, Map.of(), Clock.systemDefaultZone());
    }

    /** A copy with these tools (null for none). */
    public TemplateInput withTools(List<Map<String, Object>> newTools) {
        return new TemplateInput(messages, newTools, addGenerationPrompt, bosToken, eosToken, extraVariables, clock);
    }

    /** A copy with or without the generation prompt. */
    public TemplateInput withAddGenerationPrompt(boolean add) {
        return new TemplateInput(messages, tools, add, bosToken, eosToken, extraVariables, clock);
    }

    /** A copy with these BOS and EOS texts (null leaves one undefined). */
    public TemplateInput withSpecialTokens(String bos, String eos) {
        return new TemplateInput(messages, tools, addGenerationPrompt, bos, eos, extraVariables, clock);
    }

    /** A copy with these extra variables. */
    public TemplateInput withExtraVariables(Map<String, Object> extras) {
        return new TemplateInput(messages, tools, addGenerationPrompt, bosToken, eosToken, extras, clock);
    }

    /** A copy whose {@code strftime_now} reads this clock. */
    public TemplateInput withClock(Clock newClock) {
        return new TemplateInput(messages, tools, addGenerationPrompt, bosToken, eosToken, extraVariables, newClock);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> freezeObjects(List<Map<String, Object>> list, String path) {
        List<Object> frozen = (List<Object>) freeze(list, path, 0);
        for (int i = 0; i < frozen.size(); i++) {
            if (!(frozen.get(i) instanceof Map)) {
                throw new IllegalArgumentException(path + "[" + i + "] must be an object");
            }
        }
        return (List<Map<String, Object>>) (List<?>) frozen;
    }

    private static Object freeze(Object value, String path, int depth) {
        if (depth > MAX_INPUT_NESTING) {
            throw new IllegalArgumentException(path + " nests deeper than " + MAX_INPUT_NESTING + " levels");
        }
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Integer i -> i;
            case Long l -> l;
            case Short s -> s;
            case Byte b -> b;
            case BigInteger b -> b;
            case Double d -> d;
            case Float f -> f;
            case BigDecimal d -> d;
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    out.add(freeze(list.get(i), path + "[" + i + "]", depth + 1));
                }
                yield Collections.unmodifiableList(out);
            }
            case Map<?, ?> map -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    if (!(entry.getKey() instanceof String key)) {
                        throw new IllegalArgumentException(path + " has a key that is not a string: " + entry.getKey());
                    }
                    out.put(key, freeze(entry.getValue(), path + "." + key, depth + 1));
                }
                yield Collections.unmodifiableMap(out);
            }
            default -> throw new IllegalArgumentException(path + " is not a JSON value: " + value.getClass().getName());
        };
    }
}
