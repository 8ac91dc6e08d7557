package dev.cerebrum.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hostile inputs ({@link HostileCorpus}): each is sent on a connection of its own and must get its expected
 * status and ending, with nothing internal in the answer; after each, {@code /health} must answer 200 on a new
 * connection. At the end the server must still hold no connection and answer an inference correctly.
 */
final class HostileInputPart implements Part {
    private static final Duration WAIT = Duration.ofSeconds(6);

    @Override
    public String name() {
        return "hostile-inputs";
    }

    @Override
    public PartResult run(SuiteContext context) throws Exception {
        long start = System.nanoTime();
        List<HostileInput> inputs = HostileCorpus.inputs();
        String tried = inputs.size() + " kinds";
        try (ServerProcess server = ServerProcess.in(context.folder("inputs"))
                .setting("MAX_CPU_PERCENT", "100")
                .setting("CEREBRUM_MAX_BODY_BYTES", Integer.toString(HostileCorpus.MAX_BODY_BYTES))
                .setting("CEREBRUM_HEADER_TIMEOUT_SECONDS", "1")
                .setting("CEREBRUM_IDLE_TIMEOUT_SECONDS", "2")
                .setting("CEREBRUM_AUTH_FAILURES_PER_MINUTE", "0")
                .start()) {
            context.say("%s against pid %d", tried, server.pid());
            List<String> problems = new ArrayList<>();
            Map<String, Integer> byStatus = new TreeMap<>();
            for (HostileInput input : inputs) {
                // A connection that must close is read to its end; otherwise reading stops at the last answer.
                RawExchange.Answer answer = RawExchange.send(server.port(), "127.0.0.1", input.pieces(), input.pause(),
                        WAIT, input.ending() == HostileInput.Ending.CLOSED ? 0 : input.answers());
                String problem = input.problem(answer);
                int status = answer.status();
                byStatus.merge(status == 0 ? "no answer" : Integer.toString(status), 1, Integer::sum);
                if (problem != null) {
                    problems.add(input.name() + ": " + problem);
                }
                int health = RawExchange.get(server.port(), "127.0.0.1", "/health");
                if (health != 200) {
                    problems.add("after " + input.name() + ": /health answered " + health);
                }
                context.say("%-60s %s%s", input.name(), status == 0 ? "no answer" : status,
                        problem == null ? "" : "   <-- " + problem);
            }
            if (!server.alive()) {
                problems.add("the server process ended");
            }
            String figures = inputs.size() + " kinds, " + (inputs.size() - problems.size()) + " answered as expected ("
                    + summary(byStatus) + "); /health answered 200 after every one";
            if (problems.stream().anyMatch(p -> p.contains("/health answered"))) {
                figures = inputs.size() + " kinds, " + problems.size() + " problems (" + summary(byStatus) + ")";
            }
            return PartResult.of(name(), tried, figures, problems, Duration.ofNanos(System.nanoTime() - start))
                    .withHeadline(inputs.size() + " kinds of hostile input tried");
        }
    }

    private static String summary(Map<String, Integer> byStatus) {
        StringBuilder b = new StringBuilder();
        byStatus.forEach((s, n) -> b.append(b.isEmpty() ? "" : ", ").append(s).append(" ×").append(n));
        return b.toString();
    }
}
