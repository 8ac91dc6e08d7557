package dev.cerebrum.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code ./cerebrum reliability [--quick] [--parts NAME,...] [--out FILE]}: runs the suite against real server
 * processes on loopback, prints the table and writes it as Markdown. Exit status 0 when every part held.
 */
public final class Main {
    private Main() {
    }

    /** Runs the suite. */
    public static void main(String[] args) throws IOException {
        Profile profile = Profile.FULL;
        Path out = Path.of("reliability", "target", "reliability.md");
        List<Part> parts = new ArrayList<>(Suite.PARTS);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> profile = Profile.QUICK;
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--parts" -> parts = select(value(args, ++i, "--parts"));
                case "--help", "-h" -> {
                    System.out.println(usage());
                    return;
                }
                default -> fail("unknown option '" + args[i] + "'\n" + usage());
            }
        }
        Path scratch = Files.createTempDirectory("cerebrum-reliability-");
        SuiteContext context = new SuiteContext(profile, scratch, System.out);
        System.out.printf("Reliability suite (%s): %s; servers work in %s%n", profile.name().toLowerCase(Locale.ROOT),
                String.join(", ", parts.stream().map(Part::name).toList()), scratch);
        List<PartResult> results = Suite.run(parts, context);

        String command = "./cerebrum reliability" + (profile == Profile.QUICK ? " --quick" : "");
        String markdown = Report.markdown(results, profile, command);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, markdown, StandardCharsets.UTF_8);
        System.out.printf("%n%s%nMarkdown: %s%n", Report.text(results), out.toAbsolutePath());
        boolean held = results.stream().allMatch(PartResult::held);
        if (held) {
            delete(scratch);
        } else {
            System.out.println("The servers' logs are kept in " + scratch);
        }
        System.exit(held ? 0 : 1);
    }

    private static void delete(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static List<Part> select(String names) {
        List<Part> chosen = new ArrayList<>();
        for (String name : names.split(",")) {
            Part part = Suite.PARTS.stream().filter(p -> p.name().equalsIgnoreCase(name.strip())).findFirst()
                    .orElse(null);
            if (part == null) {
                fail("no part '" + name.strip() + "'; the parts are: "
                        + String.join(", ", Suite.PARTS.stream().map(Part::name).toList()));
            }
            chosen.add(part);
        }
        return chosen;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a value");
        }
        return args[i];
    }

    private static void fail(String message) {
        System.err.println("reliability: " + message);
        System.exit(2);
    }

    private static String usage() {
        return """
                Usage: ./cerebrum reliability [--quick] [--parts NAME,...] [--out FILE]
                  --quick          a few seconds per part (what ./cerebrum test runs)
                  --parts NAMES    run only these parts, comma-separated: %s
                  --out FILE       where the Markdown table goes (default reliability/target/reliability.md)
                Every server is started on 127.0.0.1 with a free port, in a scratch folder of its own, which is
                removed when every part held.""".formatted(String.join(", ",
                Suite.PARTS.stream().map(Part::name).toList()));
    }
}
