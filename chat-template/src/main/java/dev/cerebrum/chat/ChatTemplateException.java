package dev.cerebrum.chat;

/** The base of every failure of this library: a template that does not parse, or a render that fails. */
public sealed class ChatTemplateException extends RuntimeException
        permits TemplateSyntaxException, TemplateRenderException {

    ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
