package dev.cerebrum.chat;

import dev.cerebrum.chat.jinja.JinjaRuntimeError;
import dev.cerebrum.chat.jinja.JinjaSyntaxError;
import dev.cerebrum.chat.jinja.JinjaTemplate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed chat template. Immutable and thread-safe: parse once per model, render per request.
 *
 * <pre>{@code
 * ChatTemplate template = ChatTemplate.parse(ggufChatTemplate);
 * String prompt = template.render(TemplateInput.of(messages).withSpecialTokens(bos, eos));
 * }</pre>
 */
public final class ChatTemplate {

    private final String source;
    private final JinjaTemplate compiled;
    private final RenderLimits limits;

    private ChatTemplate(String source, JinjaTemplate compiled, RenderLimits limits) {
        this.source = source;
        this.compiled = compiled;
        this.limits = limits;
    }

    /** Parses Jinja source with {@link RenderLimits#DEFAULT}; throws {@link TemplateSyntaxException}. */
    public static ChatTemplate parse(String source) {
        return parse(source, RenderLimits.DEFAULT);
    }

    /** Parses Jinja source; throws {@link TemplateSyntaxException} naming the line and column. */
    public static ChatTemplate parse(String source, RenderLimits limits) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(limits, "limits");
        try {
            return new ChatTemplate(source, JinjaTemplate.parse(source), limits);
        } catch (JinjaSyntaxError e) {
            throw new TemplateSyntaxException(e.line(), e.column(), e.problem(), e);
        }
    }

    /** The same template with other render limits. */
    public ChatTemplate withLimits(RenderLimits newLimits) {
        return new ChatTemplate(source, compiled, Objects.requireNonNull(newLimits, "limits"));
    }

    /** The Jinja source. */
    public String source() {
        return source;
    }

    /** The bounds every render runs under. */
    public RenderLimits limits() {
        return limits;
    }

    /** Renders the prompt; throws {@link TemplateRenderException}. */
    public String render(TemplateInput input) {
        Objects.requireNonNull(input, "input");
        Map<String, Object> variables = new LinkedHashMap<>(input.extraVariables());
        variables.put("messages", input.messages());
        variables.put("tools", input.tools());
        variables.put("documents", null);
        variables.put("add_generation_prompt", input.addGenerationPrompt());
        if (input.bosToken() != null) {
            variables.put("bos_token", input.bosToken());
        }
        if (input.eosToken() != null) {
            variables.put("eos_token", input.eosToken());
        }
        try {
            return compiled.render(variables, input.clock(), limits.maxSteps(), limits.maxOutputChars(), limits.maxNesting());
        } catch (JinjaRuntimeError e) {
            TemplateRenderException.Reason reason = switch (e.kind()) {
                case RAISED -> TemplateRenderException.Reason.RAISED_BY_TEMPLATE;
                case INVALID -> TemplateRenderException.Reason.INVALID_OPERATION;
                case LIMIT -> TemplateRenderException.Reason.LIMIT_EXCEEDED;
            };
            throw new TemplateRenderException(reason, e.line(), e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + source.length() + " chars]";
    }
}
