package dev.cerebrum.chat;

/** Well-known templates, for models without their own and for test models. */
public final class ChatTemplates {

    /** The ChatML template ({@code <|im_start|>role\ncontent<|im_end|>\n}), as Hugging Face documents it. */
    public static final String CHATML = "{% for message in messages %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final ChatTemplate CHATML_TEMPLATE = ChatTemplate.parse(CHATML);

    private ChatTemplates() {
    }

    /** The parsed {@link #CHATML} template. */
    public static ChatTemplate chatml() {
        return CHATML_TEMPLATE;
    }
}
