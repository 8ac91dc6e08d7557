package dev.cerebrum.openai;

import dev.cerebrum.gguf.SuccessorModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Java snippets compile (they are {@link ReadmeExamples}), run against the real server, and are shown as they are. */
class ReadmeExamplesIT {
    private static CompatServer server;

    @BeforeAll
    static void start() {
        server = CompatServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void openAiSdkSnippet_answersAndStreams() throws IOException {
        String[] texts = ReadmeExamples.openAiSdk(server.baseUrl(), CompatServer.KEY);

        assertArrayEquals(new String[]{SuccessorModel.CHAT_ANSWER, SuccessorModel.CHAT_ANSWER}, texts);
        assertReadmeShows("openai-sdk");
    }

    @Test
    void langChain4jSnippet_answersAndStreams() throws Exception {
        String[] texts = ReadmeExamples.langChain4j(server.baseUrl(), CompatServer.KEY);

        String a = SuccessorModel.CHAT_ANSWER;
        assertArrayEquals(new String[]{a, a, a}, texts);
        assertReadmeShows("langchain4j");
    }

    /** The README holds the snippet's region of ReadmeExamples, line for line, indentation aside. */
    private static void assertReadmeShows(String name) throws IOException {
        String source = Files.readString(Path.of("src/test/java/dev/cerebrum/openai/ReadmeExamples.java"));
        String region = source.substring(source.indexOf("// README " + name + " begin\n"),
                source.indexOf("// README " + name + " end"));
        String snippet = region.lines().skip(1).map(String::strip).collect(Collectors.joining("\n"));
        String readme = Files.readString(Path.of("..", "README.md")).lines().map(String::strip)
                .collect(Collectors.joining("\n"));
        assertTrue(readme.contains(snippet), "README.md does not show the " + name + " snippet:\n" + snippet);
    }
}
