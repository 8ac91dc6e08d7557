package dev.cerebrum.chat;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every template of llama.cpp's {@code models/templates} × every case of {@code conversations.json},
 * rendered here and compared byte for byte with what Python jinja2 produced ({@code corpus/generate.py}).
 * Where jinja2 raised, the renderer must raise the matching typed exception.
 */
class ChatTemplateCorpusTest {

    private static final Path CORPUS = Path.of("src/test/resources/corpus");
    /** The moment generate.py's strftime_now reports. */
    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-03-07T09:05:02Z"), ZoneOffset.UTC);

    @Test
    void everyTemplateAndConversation_rendersExactlyAsJinja2() throws IOException {
        Map<String, Object> corpus = JSON.std.mapFrom(read(CORPUS.resolve("conversations.json")));
        Map<String, Object> tokens = JSON.std.mapFrom(read(CORPUS.resolve("special-tokens.json")));
        List<Path> templates;
        try (Stream<Path> files = Files.list(CORPUS.resolve("templates"))) {
            templates = files.filter(p -> p.toString().endsWith(".jinja")).sorted().toList();
        }
        List<String> mismatches = new ArrayList<>();
        int pairs = 0;
        int identical = 0;
        int errorsExpected = 0;
        int errorsMatched = 0;
        for (Path file : templates) {
            String stem = file.getFileName().toString().replace(".jinja", "");
            ChatTemplate template = null;
            TemplateSyntaxException syntaxError = null;
            try {
                template = ChatTemplate.parse(read(file));
            } catch (TemplateSyntaxException e) {
                syntaxError = e;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> special = (Map<String, Object>) tokens.get(stem);
            for (Object c : (List<?>) corpus.get("cases")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> testCase = (Map<String, Object>) c;
                String name = (String) testCase.get("name");
                String pair = stem + " × " + name;
                pairs++;
                Path expectedText = CORPUS.resolve("expected").resolve(stem).resolve(name + ".txt");
                Path expectedError = CORPUS.resolve("expected").resolve(stem).resolve(name + ".error");
                if (Files.exists(expectedError)) {
                    errorsExpected++;
                    String[] error = read(expectedError).split("\n", 2);
                    String outcome = failureOutcome(template, syntaxError, input(corpus, testCase, special), error[0], error[1]);
                    if (outcome == null) {
                        errorsMatched++;
                    } else {
                        mismatches.add(pair + ": jinja2 raised " + error[0] + " (" + error[1] + "), but " + outcome);
                    }
                    continue;
                }
                String expected = read(expectedText);
                if (syntaxError != null) {
                    mismatches.add(pair + ": jinja2 rendered, but parsing failed: " + syntaxError.getMessage());
                    continue;
                }
                try {
                    String actual = template.render(input(corpus, testCase, special));
                    if (actual.equals(expected)) {
                        identical++;
                    } else {
                        mismatches.add(pair + ": output differs " + firstDifference(expected, actual));
                    }
                } catch (ChatTemplateException e) {
                    mismatches.add(pair + ": jinja2 rendered, but " + e.getMessage());
                }
            }
        }
        int valid = pairs - errorsExpected;
        System.out.printf("%d of %d template × conversation pairs byte-identical; %d of %d jinja2 errors matched"
                + " (%d templates × %d cases)%n", identical, valid, errorsMatched, errorsExpected, templates.size(),
                pairs / Math.max(1, templates.size()));
        assertTrue(templates.size() >= 70, "the corpus holds " + templates.size() + " templates");
        assertEquals(List.of(), mismatches, identical + " of " + valid + " byte-identical; mismatches:\n"
                + String.join("\n", mismatches));
    }

    /** Null when the renderer failed the way jinja2 did, else what happened instead. */
    private static String failureOutcome(ChatTemplate template, TemplateSyntaxException syntaxError, TemplateInput input,
                                         String pythonType, String pythonMessage) {
        boolean syntax = pythonType.equals("TemplateSyntaxError") || pythonType.equals("TemplateAssertionError");
        if (syntaxError != null) {
            return syntax ? null : "parsing failed: " + syntaxError.getMessage();
        }
        if (syntax) {
            return "the template parsed";
        }
        try {
            String output = template.render(input);
            return "it rendered " + output.length() + " chars";
        } catch (TemplateRenderException e) {
            if (pythonType.equals("TemplateError")) {
                return e.reason() == TemplateRenderException.Reason.RAISED_BY_TEMPLATE && e.detail().equals(pythonMessage)
                        ? null : "it failed with " + e.reason() + ": " + e.getMessage();
            }
            return e.reason() == TemplateRenderException.Reason.INVALID_OPERATION ? null
                    : "it failed with " + e.reason() + ": " + e.getMessage();
        }
    }

    @SuppressWarnings("unchecked")
    private static TemplateInput input(Map<String, Object> corpus, Map<String, Object> testCase, Map<String, Object> special) {
        Map<String, Object> conversations = (Map<String, Object>) corpus.get("conversations");
        List<Map<String, Object>> messages = (List<Map<String, Object>>) conversations.get(testCase.get("conversation"));
        List<Map<String, Object>> tools = Boolean.TRUE.equals(testCase.get("tools"))
                ? (List<Map<String, Object>>) corpus.get("tools") : null;
        Map<String, Object> extra = (Map<String, Object>) testCase.getOrDefault("extra", Map.of());
        return new TemplateInput(messages, tools, Boolean.TRUE.equals(testCase.get("add_generation_prompt")),
                (String) special.get("bos_token"), (String) special.get("eos_token"), extra, FIXED);
    }

    private static String firstDifference(String expected, String actual) {
        int i = 0;
        while (i < expected.length() && i < actual.length() && expected.charAt(i) == actual.charAt(i)) {
            i++;
        }
        int from = Math.max(0, i - 40);
        return "at char " + i + ": expected «" + expected.substring(from, Math.min(expected.length(), i + 40))
                + "» but got «" + actual.substring(from, Math.min(actual.length(), i + 40)) + "»";
    }

    private static String read(Path path) throws IOException {
        return Files.readString(path, StandardCharsets.UTF_8);
    }
}
