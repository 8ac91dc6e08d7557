package dev.cerebrum.chat;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public API: input handling, typed errors with positions, bounds, sandboxing and thread safety. */
class ChatTemplateTest {

    private static final Duration DOES_NOT_STALL = Duration.ofSeconds(30);

    private static List<Map<String, Object>> user(String content) {
        return List.of(Map.of("role", "user", "content", content));
    }

    private static TemplateRenderException renderFails(String source, TemplateInput input) {
        ChatTemplate template = ChatTemplate.parse(source);
        return assertThrows(TemplateRenderException.class, () -> template.render(input));
    }

    private static TemplateRenderException renderFails(String source) {
        return renderFails(source, TemplateInput.of(List.of()));
    }

    // ---------------------------------------------------------------- content is data

    @Test
    void userTextWithTemplateSyntax_staysLiteral() {
        String content = "{{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %} {# hidden? #} {{ raise_exception('boom') }}";
        String prompt = ChatTemplates.chatml().render(TemplateInput.of(user(content)));
        assertEquals("<|im_start|>user\n" + content + "<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    @Test
    void chatml_rendersTheStandardFormat() {
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "system", "content", "Be brief."),
                Map.of("role", "user", "content", "Hi"),
                Map.of("role", "assistant", "content", "Hello!"));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\nHello!<|im_end|>\n",
                ChatTemplates.chatml().render(TemplateInput.of(messages).withAddGenerationPrompt(false)));
    }

    @Test
    void variables_areSetAsHuggingFaceSetsThem() {
        ChatTemplate template = ChatTemplate.parse("{{ tools is none }} {{ documents is none }} {{ bos_token is defined }}"
                + " {{ eos_token }} {{ add_generation_prompt }} {{ enable_thinking }} {{ strftime_now('%Y-%m-%d %H:%M') }}");
        TemplateInput input = TemplateInput.of(List.of())
                .withSpecialTokens(null, "</s>")
                .withExtraVariables(Map.of("enable_thinking", false))
                .withClock(Clock.fixed(Instant.parse("2025-12-31T23:59:00Z"), ZoneOffset.UTC));
        assertEquals("True True False </s> True False 2025-12-31 23:59", template.render(input));
    }

    @Test
    void input_isCopied_andTheTemplateCannotChangeTheCallersData() {
        List<Map<String, Object>> messages = new ArrayList<>();
        Map<String, Object> first = new HashMap<>(Map.of("role", "user", "content", "one"));
        messages.add(first);
        TemplateInput input = TemplateInput.of(messages);
        first.put("content", "changed after");
        messages.add(Map.of("role", "user", "content", "two"));
        ChatTemplate popping = ChatTemplate.parse("{% set last = messages.pop() %}{{ last.content }}/{{ messages|length }}");

        assertEquals("one/0", popping.render(input));
        assertEquals("one/0", popping.render(input));
        assertEquals(1, input.messages().size());
    }

    @Test
    void input_refusesReservedExtraNamesAndNonJsonValues() {
        assertThrows(IllegalArgumentException.class,
                () -> TemplateInput.of(List.of()).withExtraVariables(Map.of("messages", List.of())));
        assertThrows(IllegalArgumentException.class,
                () -> TemplateInput.of(List.of(Map.of("role", "user", "content", new Object()))));
        assertThrows(IllegalArgumentException.class,
                () -> TemplateInput.of(List.of(Map.of("role", "user", "content", Map.of(1, "non-string key")))));
    }

    @Test
    void templates_reachNoJavaObject() {
        ChatTemplate probing = ChatTemplate.parse("[{{ messages.getClass }}|{{ ''.class }}|{{ messages.__class__ }}"
                + "|{{ range.__globals__ }}|{{ namespace.__init__ }}|{{ cycler.__name__ }}]");
        assertEquals("[|||||]", probing.render(TemplateInput.of(user("x"))));
        TemplateRenderException e = renderFails("{{ ''.getBytes() }}");
        assertEquals(TemplateRenderException.Reason.INVALID_OPERATION, e.reason());
        TemplateRenderException dunder = renderFails("{{ ''.__class__.__mro__ }}");
        assertEquals(TemplateRenderException.Reason.INVALID_OPERATION, dunder.reason());
    }

    // ---------------------------------------------------------------- errors

    @Test
    void syntaxError_namesLineColumnAndProblem_withoutAPath() {
        TemplateSyntaxException e = assertThrows(TemplateSyntaxException.class,
                () -> ChatTemplate.parse("line one\n{% if true %}\n  {{ foo(1, ) + }}\n{% endif %}"));
        assertEquals(3, e.line());
        assertEquals(17, e.column());
        assertTrue(e.getMessage().startsWith("chat template syntax error at line 3, column 17: "), e.getMessage());
        assertFalse(e.getMessage().contains("/"), e.getMessage());
    }

    @Test
    void unknownFilter_isASyntaxErrorAtItsPosition() {
        TemplateSyntaxException e = assertThrows(TemplateSyntaxException.class,
                () -> ChatTemplate.parse("ok\n{{ messages | nosuchfilter }}"));
        assertEquals(2, e.line());
        assertEquals(15, e.column());
        assertEquals("No filter named 'nosuchfilter'.", e.problem());
    }

    @Test
    void unclosedBlock_isASyntaxError() {
        TemplateSyntaxException e = assertThrows(TemplateSyntaxException.class,
                () -> ChatTemplate.parse("{% for m in messages %}\n{{ m.content }}\n"));
        assertTrue(e.problem().contains("'endfor'"), e.problem());
    }

    @Test
    void raiseException_carriesTheTemplatesOwnMessage() {
        TemplateRenderException e = renderFails(
                "{% if messages[0].role != 'user' %}{{ raise_exception('Conversation must start with a user turn.') }}{% endif %}",
                TemplateInput.of(List.of(Map.of("role", "assistant", "content", "x"))));
        assertEquals(TemplateRenderException.Reason.RAISED_BY_TEMPLATE, e.reason());
        assertEquals("Conversation must start with a user turn.", e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    void pythonTypeError_isAnInvalidOperationWithItsLine() {
        TemplateRenderException e = renderFails("first\n{{ 'text' + messages }}", TemplateInput.of(user("x")));
        assertEquals(TemplateRenderException.Reason.INVALID_OPERATION, e.reason());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("can only concatenate str (not \"list\") to str"), e.getMessage());
    }

    // ---------------------------------------------------------------- bounds

    @Test
    void nestedHugeLoops_areStoppedByTheStepLimit() {
        TemplateRenderException e = assertTimeoutPreemptively(DOES_NOT_STALL, () -> renderFails(
                "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"));
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, e.reason());
    }

    @Test
    void exponentialMacroRecursion_isStopped() {
        TemplateRenderException e = assertTimeoutPreemptively(DOES_NOT_STALL, () -> renderFails(
                "{% macro f(n) %}{% if n < 60 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}"));
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, e.reason());
    }

    @Test
    void endlessRecursion_isStoppedByTheNestingLimit() {
        TemplateRenderException e = assertTimeoutPreemptively(DOES_NOT_STALL, () -> renderFails(
                "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"));
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, e.reason());
        assertTrue(e.getMessage().contains("128"), e.getMessage());
    }

    @Test
    void doublingAString_isStoppedBeforeTheHeapIs() {
        TemplateRenderException e = assertTimeoutPreemptively(DOES_NOT_STALL, () -> renderFails(
                "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}"));
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, e.reason());
        TemplateRenderException repeat = renderFails("{{ 'x' * 4000000000 }}");
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, repeat.reason());
        TemplateRenderException list = renderFails("{{ ([1] * 100000) * 100000 }}");
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, list.reason());
        TemplateRenderException squaring = renderFails(
                "{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}");
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, squaring.reason());
        TemplateRenderException padding = renderFails("{{ '{:>4000000000}'.format('x') }}|{{ 'x'|indent(4000000000) }}");
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, padding.reason());
        TemplateRenderException batch = renderFails("{{ [1]|batch(4000000000, 0)|list }}");
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, batch.reason());
    }

    @Test
    void repeatedWorkOnLargeValues_isChargedBySize() {
        for (String work : List.of("big|upper", "big|string", "big == big ~ ''", "'y' in big", "big|tojson",
                "biglist == other", "biglist|string", "big.split('x')")) {
            // 100,000 iterations are 300,000 steps or so; only charging the work on the large value exceeds 5 M
            ChatTemplate template = ChatTemplate.parse("{% set big = 'x' * 1000000 %}{% set biglist = range(100000)|list %}"
                    + "{% set other = biglist|list %}{% for i in range(100000) %}{% set r = " + work + " %}{% endfor %}",
                    new RenderLimits(8_000_000, 5_000_000, 128));
            TemplateRenderException e = assertTimeoutPreemptively(DOES_NOT_STALL,
                    () -> assertThrows(TemplateRenderException.class, () -> template.render(TemplateInput.of(List.of()))), work);
            assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, e.reason(), work);
        }
    }

    @Test
    void output_isBoundedByTheConfiguredLimit() {
        ChatTemplate template = ChatTemplate.parse("{% for m in messages %}{{ m.content }}{% endfor %}",
                new RenderLimits(1_000, 1_000_000, 16));
        assertEquals("short", template.render(TemplateInput.of(user("short"))));
        TemplateRenderException e = assertThrows(TemplateRenderException.class,
                () -> template.render(TemplateInput.of(user("y".repeat(1_001)))));
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, e.reason());
    }

    @Test
    void deeplyNestedInput_isRefusedByTheNestingLimit() {
        Object nested = "leaf";
        for (int i = 0; i < 200; i++) {
            nested = List.of(nested);
        }
        TemplateInput input = TemplateInput.of(List.of(Map.of("role", "user", "content", nested)));
        TemplateRenderException e = renderFails("{{ messages[0].content|tojson }}", input);
        assertEquals(TemplateRenderException.Reason.LIMIT_EXCEEDED, e.reason());
    }

    @Test
    void deeplyNestedTemplate_isASyntaxErrorNotAStackOverflow() {
        String deep = "{{ " + "(".repeat(5_000) + "1" + ")".repeat(5_000) + " }}";
        TemplateSyntaxException e = assertThrows(TemplateSyntaxException.class, () -> ChatTemplate.parse(deep));
        assertTrue(e.problem().contains("nests deeper"), e.problem());
        String deepIfs = "{% if true %}".repeat(5_000) + "x" + "{% endif %}".repeat(5_000);
        assertThrows(TemplateSyntaxException.class, () -> ChatTemplate.parse(deepIfs));
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void oneTemplate_rendersConcurrentlyWithoutInterference() throws Exception {
        ChatTemplate template = ChatTemplate.parse("{% set ns = namespace(n=0) %}{% for m in messages %}"
                + "{% set ns.n = ns.n + 1 %}{{ m.content }}:{{ ns.n }};{% endfor %}");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int task = 0; task < 64; task++) {
                int id = task;
                results.add(pool.submit(() -> {
                    List<Map<String, Object>> messages = new ArrayList<>();
                    StringBuilder expected = new StringBuilder();
                    for (int i = 0; i < 50; i++) {
                        messages.add(Map.of("role", "user", "content", "t" + id + "m" + i));
                        expected.append("t").append(id).append("m").append(i).append(':').append(i + 1).append(';');
                    }
                    return template.render(TemplateInput.of(messages)).contentEquals(expected);
                }));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
