/**
 * Renders the Jinja chat templates that GGUF files carry ({@code tokenizer.chat_template}) exactly as
 * Python jinja2 does when Hugging Face transformers applies a chat template:
 * {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])},
 * the globals {@code raise_exception} and {@code strftime_now}, the {@code {% generation %}} block, and
 * {@code tojson} as {@code json.dumps(x, ensure_ascii=False, ...)}.
 *
 * <p>Entry points: {@link dev.cerebrum.chat.ChatTemplate#parse(String)} and
 * {@link dev.cerebrum.chat.ChatTemplate#render(TemplateInput)}. Failures are
 * {@link dev.cerebrum.chat.TemplateSyntaxException} and {@link dev.cerebrum.chat.TemplateRenderException},
 * both {@link dev.cerebrum.chat.ChatTemplateException}.
 *
 * <p><b>Why an own interpreter rather than Jinjava.</b> The only Java Jinja engine on Maven Central,
 * Jinjava, renders 54 of the 259 valid template × conversation pairs of the reference corpus
 * byte-identically out of the box, and 258 only with about 590 lines of compatibility code that includes
 * regex rewriting of template source. Several differences cannot be fixed from outside: None and undefined
 * are one value (so {@code default} replaces None and a None macro argument falls back to an outer
 * variable), {@code not} binds tighter than {@code is}/{@code in}, booleans print as {@code true}, Python
 * string methods and slicing are missing, and it is more lenient than jinja2 where jinja2 raises. It also
 * interprets {@code {{ }}} inside message content by default. Chat templates use a small language, so this
 * package implements it directly with Python value semantics (None vs undefined, {@code str()} of values,
 * code-point strings, slicing, string methods, jinja2's precedence, scoping and loop variables, markupsafe's
 * escaping), as llama.cpp did in C++ for the same reasons. The corpus test checks every template of
 * llama.cpp's {@code models/templates} against outputs produced by Python jinja2. The interpreter needs no
 * dependency, never touches Java objects other than JSON-like values, and bounds every render by
 * {@link dev.cerebrum.chat.RenderLimits}.
 */
package dev.cerebrum.chat;
