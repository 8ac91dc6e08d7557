package dev.cerebrum.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

/** The suite's results as a table: plain text for the console, Markdown for the README. */
final class Report {
    private Report() {
    }

    /** The Markdown table, with a line that says when, where and how it was run. */
    static String markdown(List<PartResult> results, Profile profile, String command) {
        StringBuilder b = new StringBuilder();
        b.append("| part | tried | held | figures |\n|---|---|---|---|\n");
        for (PartResult r : results) {
            b.append("| ").append(r.part()).append(" | ").append(cell(r.tried())).append(" | ")
                    .append(r.held() ? "yes" : "**no**").append(" | ")
                    .append(cell(r.held() ? r.figures() : r.figures() + " " + String.join("; ", r.problems())))
                    .append(" |\n");
        }
        b.append('\n').append(verdict(results)).append(" Run on ").append(LocalDate.now()).append(", ")
                .append(machine()).append(", with `").append(command).append("` (").append(profile.name()
                        .toLowerCase()).append(" profile, ").append(seconds(results)).append(" s).\n");
        return b.toString();
    }

    /**
     * One line: the headlines of the parts (load held, faults survived, inputs and grammars tried, nothing lost),
     * or what did not hold.
     */
    static String verdict(List<PartResult> results) {
        List<String> failed = results.stream().filter(r -> !r.held()).map(PartResult::part).toList();
        if (!failed.isEmpty()) {
            return "Did not hold: " + String.join(", ", failed) + ".";
        }
        List<String> headlines = results.stream().map(PartResult::headline).filter(h -> !h.isEmpty()).toList();
        return "Every part held" + (headlines.isEmpty() ? "" : ": " + String.join("; ", headlines)) + ".";
    }

    /** The table for the console. */
    static String text(List<PartResult> results) {
        StringBuilder b = new StringBuilder();
        for (PartResult r : results) {
            b.append(String.format("%-15s %-4s %s%n  %s%n", r.part(), r.held() ? "held" : "NO", r.tried(),
                    r.figures()));
            for (String p : r.problems()) {
                b.append("  - ").append(p).append('\n');
            }
        }
        return b.append(verdict(results)).append('\n').toString();
    }

    /** The CPU model, core count and memory of this machine. */
    static String machine() {
        String cpu = System.getProperty("os.arch");
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture will do
        }
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + Math.round(memory / (1024.0 * 1024 * 1024)) + " GiB";
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static long seconds(List<PartResult> results) {
        return Math.round(results.stream().mapToLong(r -> r.took().toMillis()).sum() / 1000.0);
    }
}
