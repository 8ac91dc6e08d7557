package dev.cerebrum.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's command line: {@code java -cp bench/target/cerebrum-bench.jar:bench/target/lib/*
 * dev.cerebrum.bench.Main [options]} ({@code --help} lists them; {@code --peer --help} those of the comparison with
 * llama-server). Exit status 0 when every phase ran, 1 when
 * one failed (the report says which), 2 for a bad option.
 */
public final class Main {
    private Main() {
    }

    /** Runs the benchmark. */
    public static void main(String[] args) {
        if (args.length == 2 && args[0].equals(RawReference.CHILD_FLAG)) {
            RawReference.childMain(Path.of(args[1]));
            return;
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        List<String> list = Arrays.asList(args);
        if (list.contains(PeerOptions.FLAG)) {
            System.exit(peer(list, out));
        }
        if (list.contains("--help") || list.contains("-h")) {
            out.print(Options.USAGE);
            System.exit(0);
        }
        Options options;
        try {
            options = Options.parse(list);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        int status;
        try {
            status = new Bench(options, out).run();
        } catch (Exception e) {
            System.err.println("bench: failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        // The engine's reader threads and the HTTP client's selector are not all daemons.
        System.exit(status);
    }

    /** The peer comparison ({@code --peer}): its exit status, as the benchmark's. */
    private static int peer(List<String> args, PrintStream out) {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(PeerOptions.USAGE);
            return 0;
        }
        PeerOptions options;
        try {
            options = PeerOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(PeerOptions.USAGE);
            return 2;
        }
        try {
            return new PeerBench(options, out).run();
        } catch (Exception e) {
            System.err.println("bench: failed: " + e);
            e.printStackTrace();
            return 1;
        }
    }
}
