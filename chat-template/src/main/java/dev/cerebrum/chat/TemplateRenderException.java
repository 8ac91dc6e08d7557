package dev.cerebrum.chat;

/** Rendering failed: the template raised an error, did something Python refuses, or exceeded a limit. */
public final class TemplateRenderException extends ChatTemplateException {

    /** Why rendering failed. */
    public enum Reason {
        /** The template called {@code raise_exception(message)}, usually because the conversation does not fit it. */
        RAISED_BY_TEMPLATE,
        /** An operation jinja2 refuses too: a type error, an undefined value used, a sandbox violation. */
        INVALID_OPERATION,
        /** The render exceeded a {@link RenderLimits} bound. */
        LIMIT_EXCEEDED
    }

    private final Reason reason;
    private final int line;
    private final String detail;

    TemplateRenderException(Reason reason, int line, String detail, Throwable cause) {
        super(reason == Reason.RAISED_BY_TEMPLATE ? detail
                : "chat template " + (reason == Reason.LIMIT_EXCEEDED ? "limit exceeded" : "error")
                + (line > 0 ? " at line " + line : "") + ": " + detail, cause);
        this.reason = reason;
        this.line = line;
        this.detail = detail;
    }

    /** Why rendering failed. */
    public Reason reason() {
        return reason;
    }

    /** The template line where it failed, 0 if unknown. */
    public int line() {
        return line;
    }

    /** The bare message: for {@link Reason#RAISED_BY_TEMPLATE} exactly the template's own text. */
    public String detail() {
        return detail;
    }
}
