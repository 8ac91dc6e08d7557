package dev.cerebrum.chat;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Small templates that each pin one part of jinja2's semantics (precedence, None and undefined, str() of
 * values, string methods, slicing, loops, macros, whitespace control, filters, tests, tojson, sandbox,
 * syntax errors), compared with the outputs Python jinja2 produced for them ({@code semantics/expected.json},
 * written by {@code corpus/generate.py}).
 */
class JinjaSemanticsTest {

    private static final Path FOLDER = Path.of("src/test/resources/semantics");
    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-03-07T09:05:02Z"), ZoneOffset.UTC);
    private static final Set<String> PYTHON_SYNTAX_ERRORS = Set.of("TemplateSyntaxError", "TemplateAssertionError", "SyntaxError");

    /** One snippet: its name, template source and top-level variables. */
    record Snippet(String name, String source, Map<String, Object> variables) {
    }

    @TestFactory
    Stream<DynamicTest> everySnippet_behavesAsJinja2() throws IOException {
        Map<String, Object> expected = JSON.std.mapFrom(Files.readString(FOLDER.resolve("expected.json"), StandardCharsets.UTF_8));
        List<Snippet> snippets = parse(Files.readString(FOLDER.resolve("snippets.txt"), StandardCharsets.UTF_8));
        assertEquals(expected.keySet(), new java.util.LinkedHashSet<>(snippets.stream().map(Snippet::name).toList()),
                "expected.json is stale: run corpus/generate.py");
        return snippets.stream().map(snippet -> DynamicTest.dynamicTest(snippet.name(), () -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> outcome = (Map<String, Object>) expected.get(snippet.name());
            check(snippet, outcome);
        }));
    }

    private static void check(Snippet snippet, Map<String, Object> outcome) {
        String pythonError = (String) outcome.get("error");
        if (pythonError != null && PYTHON_SYNTAX_ERRORS.contains(pythonError)) {
            TemplateSyntaxException e = assertThrows(TemplateSyntaxException.class, () -> ChatTemplate.parse(snippet.source()),
                    () -> "jinja2 refused the template: " + outcome.get("message"));
            if (outcome.get("line") != null) {
                assertEquals(((Number) outcome.get("line")).intValue(), e.line(), "line of: " + e.getMessage());
            }
            return;
        }
        ChatTemplate template = ChatTemplate.parse(snippet.source());
        TemplateInput input = input(snippet.variables());
        if (pythonError == null) {
            assertEquals(outcome.get("output"), template.render(input));
            return;
        }
        TemplateRenderException e = assertThrows(TemplateRenderException.class, () -> template.render(input),
                () -> "jinja2 raised " + pythonError + ": " + outcome.get("message"));
        if (pythonError.equals("TemplateError")) {
            assertEquals(TemplateRenderException.Reason.RAISED_BY_TEMPLATE, e.reason());
            assertEquals(outcome.get("message"), e.detail());
        } else {
            assertEquals(TemplateRenderException.Reason.INVALID_OPERATION, e.reason(),
                    () -> "jinja2 raised " + pythonError + ": " + outcome.get("message") + "; we raised " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static TemplateInput input(Map<String, Object> variables) {
        Map<String, Object> extras = new LinkedHashMap<>(variables);
        List<Map<String, Object>> messages = (List<Map<String, Object>>) extras.remove("messages");
        List<Map<String, Object>> tools = (List<Map<String, Object>>) extras.remove("tools");
        Object addGenerationPrompt = extras.remove("add_generation_prompt");
        return new TemplateInput(messages == null ? List.of() : messages, tools, Boolean.TRUE.equals(addGenerationPrompt),
                null, null, extras, FIXED);
    }

    /** The record format generate.py reads: "=== name", optional "vars:" and "crlf:" lines, then the template. */
    static List<Snippet> parse(String text) throws IOException {
        List<Snippet> snippets = new ArrayList<>();
        String[] chunks = Pattern.compile("(?m)^=== ").split(text);
        for (int i = 1; i < chunks.length; i++) {
            String chunk = chunks[i];
            int nl = chunk.indexOf('\n');
            String name = chunk.substring(0, nl).strip();
            String body = chunk.substring(nl + 1);
            Map<String, Object> variables = Map.of();
            boolean crlf = false;
            while (body.startsWith("vars: ") || body.startsWith("crlf: ")) {
                int end = body.indexOf('\n');
                String line = body.substring(0, end);
                if (line.startsWith("vars: ")) {
                    variables = JSON.std.mapFrom(line.substring(6));
                } else {
                    crlf = Boolean.parseBoolean(line.substring(6).strip());
                }
                body = body.substring(end + 1);
            }
            if (body.endsWith("\n")) {
                body = body.substring(0, body.length() - 1);
            }
            if (crlf) {
                body = body.replace("\n", "\r\n");
            }
            snippets.add(new Snippet(name, body, variables));
        }
        return snippets;
    }
}
