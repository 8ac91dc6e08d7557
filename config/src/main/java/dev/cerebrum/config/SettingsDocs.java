package dev.cerebrum.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes the documentation that {@link SettingsTable} drives: the README's two settings tables (between
 * {@code <!-- generated: NAME -->} and {@code <!-- end: NAME -->}) and {@code deploy/.env.example}.
 * {@code ./cerebrum docs} runs it with {@code --write}; a test fails while the files differ from the table.
 */
public final class SettingsDocs {
    /** The README, relative to the repository root. */
    public static final String README = "README.md";
    /** The example env file, relative to the repository root. */
    public static final String ENV_EXAMPLE = "deploy/.env.example";
    /** The README block of the server's settings. */
    public static final String SERVER_BLOCK = "settings";
    /** The README block of the launcher's own settings. */
    public static final String LAUNCHER_BLOCK = "launcher-settings";

    private static final int WIDTH = 100;
    private static final String HEADER = """
            # Cerebrum VPS Backend - example configuration
            # Generated from the settings table (config/.../SettingsTable.java) by ./cerebrum docs: edit the table,
            # not this file. Copy it to .env in the backend's working directory (cp deploy/.env.example .env), then
            # set a key with ./cerebrum key --write. `./cerebrum serve` and `./cerebrum start` do both for you when
            # .env is missing.
            #
            # Format: KEY=VALUE, one per line; '#' starts a comment; values may be quoted; nothing is expanded.
            # Environment variables always win over this file. Every setting except the key is optional: the
            # commented lines show the defaults (or an example where there is none).
            """;

    private SettingsDocs() {
    }

    /** {@code --write ROOT} rewrites the files; {@code --check ROOT} exits 1 naming those that differ. */
    public static void main(String[] args) {
        if (args.length != 2 || !List.of("--write", "--check").contains(args[0])) {
            System.err.println("usage: SettingsDocs --write|--check REPOSITORY_ROOT");
            System.exit(2);
        }
        Path root = Path.of(args[1]);
        Map<Path, String> expected = expected(root);
        List<String> stale = new ArrayList<>();
        expected.forEach((file, text) -> {
            if (!text.equals(read(file))) {
                stale.add(root.relativize(file).toString());
                if (args[0].equals("--write")) {
                    write(file, text);
                }
            }
        });
        if (args[0].equals("--check") && !stale.isEmpty()) {
            System.err.println("out of date with the settings table: " + String.join(", ", stale)
                    + " (run ./cerebrum docs)");
            System.exit(1);
        }
        System.out.println(stale.isEmpty() ? "settings docs up to date" : "rewrote " + String.join(", ", stale));
    }

    /** What the README and the example env file under {@code root} must hold. */
    public static Map<Path, String> expected(Path root) {
        Path readme = root.resolve(README);
        String text = read(readme);
        text = replaceBlock(text, SERVER_BLOCK, table(s -> s.about().group() != Group.LAUNCHER));
        text = replaceBlock(text, LAUNCHER_BLOCK, table(s -> s.about().group() == Group.LAUNCHER));
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(readme, text);
        files.put(root.resolve(ENV_EXAMPLE), envExample());
        return files;
    }

    /** A Markdown table of the settings that {@code which} accepts. */
    static String table(Predicate<Setting> which) {
        StringBuilder b = new StringBuilder("| setting | default | range | meaning |\n|---|---|---|---|\n");
        for (Setting s : SettingsTable.ALL) {
            if (which.test(s)) {
                b.append("| `").append(s.name()).append("` | ").append(cell(defaultCell(s))).append(" | ")
                        .append(cell(s.rangeText())).append(" | ").append(cell(s.about().doc())).append(" |\n");
            }
        }
        return b.toString();
    }

    private static String defaultCell(Setting s) {
        String shown = s.defaultText();
        boolean prose = s.about().shownDefault() != null || (s instanceof Setting.Text t && t.defaultValue() == null);
        return prose ? shown : "`" + shown + "`";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    /** {@code deploy/.env.example}: every setting that may be written there, grouped, with its documentation. */
    static String envExample() {
        StringBuilder b = new StringBuilder(HEADER);
        Group current = null;
        for (Setting s : SettingsTable.ALL) {
            if (s.about().environmentOnly()) {
                continue;
            }
            b.append('\n');
            if (s.about().group() != current) {
                current = s.about().group();
                String heading = "# --- " + current.title() + " ";
                b.append(heading).append("-".repeat(Math.max(3, WIDTH - heading.length()))).append('\n');
            }
            String range = s.rangeText().isEmpty() ? "" : "; range " + s.rangeText();
            for (String line : wrap(plain(s.about().doc()) + range, WIDTH - 2)) {
                b.append("# ").append(line).append('\n');
            }
            // The key is the one line left active: the launcher fills it in when it creates .env.
            b.append(s == SettingsTable.API_KEY ? "" : "# ").append(s.name()).append('=').append(s.exampleText())
                    .append('\n');
        }
        return b.toString();
    }

    /** Markdown emphasis and in-page links as plain text; code spans stay. */
    private static String plain(String markdown) {
        return markdown.replace("**", "").replaceAll("\\[([^]]+)]\\(#[^)]*\\)", "$1 (README)");
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** Replaces the text between a block's markers (the markers stay). */
    static String replaceBlock(String text, String block, String content) {
        String begin = "<!-- generated: " + block + " (./cerebrum docs) -->\n";
        String end = "<!-- end: " + block + " -->";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("the README lacks the markers of the generated block '" + block + "': "
                    + begin.strip() + " ... " + end);
        }
        return text.substring(0, from + begin.length()) + content + text.substring(to);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
