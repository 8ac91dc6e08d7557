package dev.cerebrum.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One kind of hostile input: the bytes (sent at once, or in pieces with a pause between them), the statuses it
 * must get, and whether the server must close the connection afterwards.
 *
 * @param name     what it is, in a few words
 * @param pieces   the bytes to send, in order
 * @param pause    the pause between two pieces
 * @param expected the acceptable statuses of the first response; 0 stands for "no answer at all"
 * @param ending   what must happen to the connection after the answer
 * @param answers  how many responses must come back (pipelining sends several requests)
 */
record HostileInput(String name, List<byte[]> pieces, Duration pause, Set<Integer> expected, Ending ending,
                    int answers) {

    /** What the server must do with the connection once it has answered. */
    enum Ending {
        /** Close it: the connection cannot be trusted to carry another request. */
        CLOSED,
        /** Either keep it or close it. */
        EITHER
    }

    HostileInput {
        pieces = List.copyOf(pieces);
        expected = Set.copyOf(expected);
    }

    /** An input sent at once, answered with one of {@code expected}, after which the connection may stay open. */
    static HostileInput of(String name, String request, Integer... expected) {
        return new HostileInput(name, List.of(request.getBytes(StandardCharsets.ISO_8859_1)), Duration.ZERO,
                Set.of(expected), Ending.EITHER, 1);
    }

    /** The same input, after which the server must close the connection. */
    HostileInput closes() {
        return new HostileInput(name, pieces, pause, expected, Ending.CLOSED, answers);
    }

    /** The same input, answered {@code n} times (pipelined requests). */
    HostileInput answeredTimes(int n) {
        return new HostileInput(name, pieces, pause, expected, ending, n);
    }

    /** The same input, sent in pieces of {@code size} bytes with {@code pause} between them. */
    HostileInput trickled(int size, Duration pause) {
        byte[] all = pieces.stream().reduce(new byte[0], HostileInput::concat);
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < all.length; i += size) {
            parts.add(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + size)));
        }
        return new HostileInput(name, parts, pause, expected, ending, answers);
    }

    /**
     * What is wrong with the answer, or null when it is as expected. Besides the status and the ending, no answer
     * may show a stack trace, an exception's name or a file path.
     */
    String problem(RawExchange.Answer answer) {
        if (!answer.connected()) {
            return "could not connect";
        }
        List<Integer> statuses = answer.statuses();
        int first = statuses.isEmpty() ? 0 : statuses.getFirst();
        if (!expected.contains(first)) {
            return "got " + (first == 0 ? "no answer" : first) + ", expected " + expected;
        }
        if (first != 0 && statuses.size() != answers) {
            return statuses.size() + " responses, expected " + answers;
        }
        if (ending == Ending.CLOSED && !answer.closed()) {
            return "the connection stayed open";
        }
        String text = answer.text();
        if (text.contains("\tat ") || text.matches("(?s).*\\b\\w+(Exception|Error)\\b.*")
                || text.matches("(?s).*(/tmp/|/home/|/root/|\\.java:).*")) {
            return "the answer leaks internals: " + text.substring(0, Math.min(200, text.length()));
        }
        return null;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
