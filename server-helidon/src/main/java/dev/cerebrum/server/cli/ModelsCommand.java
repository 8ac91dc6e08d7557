package dev.cerebrum.server.cli;

import dev.cerebrum.config.Setting;
import dev.cerebrum.config.SettingsSources;
import dev.cerebrum.config.SettingsTable;
import dev.cerebrum.engine.EngineException;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.InferenceEngineProvider;
import dev.cerebrum.gguf.GgufInspector;
import dev.cerebrum.gguf.MemoryEstimator;
import dev.cerebrum.guard.GuardSettings;
import dev.cerebrum.guard.ModelEntry;
import dev.cerebrum.guard.ModelRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The launcher's {@code ./cerebrum models} (the registry, each model's engine and its file's state on disk) and
 * {@code ./cerebrum models inspect FILE} (a GGUF file's metadata, which engines can load its architecture, and
 * their RAM estimates). Settings are resolved as the server resolves them (YAML file, {@code .env}, environment),
 * in the working directory.
 */
public final class ModelsCommand {
    static final int OK = 0;
    static final int PROBLEMS = 1;
    static final int USAGE = 2;

    private static final byte[] GGUF_MAGIC = "GGUF".getBytes(StandardCharsets.US_ASCII);
    private static final String USAGE_TEXT = """
            usage: ./cerebrum models                 list the registry, each model's engine and its file's state
                   ./cerebrum models inspect FILE [--ctx N] [--parallel N]
                                                    a GGUF file's metadata, the engines that load it, RAM estimates""";

    /** A model file's state on disk. */
    enum FileState {
        PRESENT("present"), MISSING("missing"), NOT_A_GGUF("not-a-GGUF"), BROKEN_GGUF("broken-GGUF"),
        INVALID_ENTRY("invalid-entry");

        private final String label;

        FileState(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    private ModelsCommand() {
    }

    /** Runs {@code list} or {@code inspect FILE [--ctx N] [--parallel N]} and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err));
    }

    static int run(List<String> args, Map<String, String> env, Path workDir, PrintStream out, PrintStream err) {
        try {
            // resolved exactly as the server resolves them: the YAML file, then .env, then the environment
            Map<String, String> vars = SettingsSources.merge(workDir, env, Map.of());
            GuardSettings settings = GuardSettings.from(vars, workDir);
            String defaultEngine = SettingsTable.ENGINE.read(vars);
            if (args.isEmpty() || args.getFirst().equals("list")) {
                if (args.size() > 1) {
                    err.println(USAGE_TEXT);
                    return USAGE;
                }
                return list(settings, defaultEngine, workDir, out);
            }
            if (args.getFirst().equals("inspect")) {
                return inspect(args.subList(1, args.size()), settings, defaultEngine, out, err);
            }
            err.println(USAGE_TEXT);
            return USAGE;
        } catch (IllegalArgumentException e) {
            err.println("cerebrum: " + e.getMessage());
            return USAGE;
        }
    }

    private static int list(GuardSettings settings, String defaultEngine, Path workDir, PrintStream out) {
        ModelRegistry registry = ModelRegistry.load(settings);
        if (registry.isDemo()) {
            out.println("registry: none at " + shown(settings.modelsFile(), workDir)
                    + ", so the demo registry is used (the server generates the demo model on start)");
        } else {
            out.println("registry: " + shown(settings.modelsFile(), workDir) + " (" + registry.entries().size()
                    + (registry.entries().size() == 1 ? " model)" : " models)"));
        }
        out.println("default engine: " + defaultEngine + " (CEREBRUM_ENGINE); engines present: "
                + String.join(", ", InferenceEngines.available()));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"NAME", "STATE", "ENGINE", "FILE", "SIZE", "CTX", "SLOTS", "THREADS", "RAM (est.)",
                "NOTE"});
        boolean problems = !registry.problems().isEmpty();
        for (ModelEntry entry : registry.entries()) {
            Row row = registry.isDemo() && entry instanceof ModelEntry.Broken b
                    && b.problem() == ModelEntry.Problem.FILE_MISSING
                    ? new Row(entry.name(), FileState.MISSING, entry.engine().orElse(defaultEngine),
                    shown(settings.modelsDir().resolve(ModelRegistry.DEMO_FILE), workDir), "-", "-", "-", "-", "-",
                    "generated when the server starts")
                    : row(entry, entry.engine().orElse(defaultEngine), workDir);
            problems |= row.state() != FileState.PRESENT && !(registry.isDemo() && row.state() == FileState.MISSING);
            problems |= !row.engineLoadsIt();
            rows.add(row.cells());
        }
        printTable(rows, out);
        if (registry.entries().isEmpty()) {
            out.println("(no models registered)");
        }
        for (String problem : registry.problems()) {
            out.println("problem: " + problem);
        }
        return problems ? PROBLEMS : OK;
    }

    /** One registry entry's line; {@code engineLoadsIt} is false when its engine is absent or refuses its file. */
    record Row(String name, FileState state, String engine, String file, String size, String ctx, String slots,
               String threads, String ram, String note, boolean engineLoadsIt) {
        Row(String name, FileState state, String engine, String file, String size, String ctx, String slots,
            String threads, String ram, String note) {
            this(name, state, engine, file, size, ctx, slots, threads, ram, note, true);
        }

        String[] cells() {
            return new String[]{name, state.label(), engine, file, size, ctx, slots, threads, ram, note};
        }
    }

    /** The line of {@code entry}, which runs on {@code engine}: its estimate is that engine's. */
    static Row row(ModelEntry entry, String engine, Path workDir) {
        ModelSpec spec;
        switch (entry) {
            case ModelEntry.Usable usable -> spec = usable.spec();
            case ModelEntry.Broken broken when broken.spec().isPresent() -> spec = broken.spec().get();
            case ModelEntry.Broken broken -> {
                return new Row(entry.name(), FileState.INVALID_ENTRY, engine, "-", "-", "-", "-", "-", "-",
                        broken.reason());
            }
        }
        String reason = entry instanceof ModelEntry.Broken broken ? broken.reason() : null;
        String file = shown(spec.path(), workDir);
        String ctx = Integer.toString(spec.contextSize());
        String slots = Integer.toString(spec.parallel());
        String threads = Integer.toString(spec.threads());
        if (!Files.exists(spec.path())) {
            return new Row(entry.name(), FileState.MISSING, engine, file, "-", ctx, slots, threads, "-",
                    reason == null ? "" : reason);
        }
        String size = mib(sizeOf(spec.path()));
        if (!hasGgufMagic(spec.path())) {
            return new Row(entry.name(), FileState.NOT_A_GGUF, engine, file, size, ctx, slots, threads, "-",
                    "the file does not start with the GGUF magic");
        }
        Optional<InferenceEngineProvider> provider = InferenceEngines.provider(engine);
        try {
            ModelInfo info = provider.isPresent() ? provider.get().inspect(spec)
                    : GgufInspector.inspect(spec.path(), spec.contextSize(), spec.parallel());
            String note = info.architecture() + " " + info.fileType();
            boolean loads = provider.isPresent() && provider.get().supportsArchitecture(info.architecture());
            if (provider.isEmpty()) {
                note += "; no engine named '" + engine + "' is present";
            } else if (!loads) {
                List<String> others = InferenceEngines.supporting(info.architecture());
                note += "; the " + engine + " engine cannot load " + info.architecture()
                        + (others.isEmpty() ? "" : ": use engine: " + others.getFirst());
            }
            note += reason == null ? "" : "; " + reason;
            return new Row(entry.name(), FileState.PRESENT, engine, file, size, ctx, slots, threads,
                    mib(info.estimate().totalBytes()), note, loads);
        } catch (EngineException e) {
            return new Row(entry.name(), FileState.BROKEN_GGUF, engine, file, size, ctx, slots, threads, "-",
                    e.getMessage());
        }
    }


    private static int inspect(List<String> args, GuardSettings settings, String defaultEngine, PrintStream out,
                               PrintStream err) {
        Path file = null;
        int ctx = settings.defaultContextSize();
        int parallel = settings.defaultParallel();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--ctx" -> ctx = option(args, ++i, "--ctx", SettingsTable.CTX_SIZE);
                case "--parallel" -> parallel = option(args, ++i, "--parallel", SettingsTable.PARALLEL);
                default -> {
                    if (a.startsWith("-") || file != null) {
                        err.println(USAGE_TEXT);
                        return USAGE;
                    }
                    file = Path.of(a);
                }
            }
        }
        if (file == null) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        if (Files.isRegularFile(file) && !hasGgufMagic(file)) {
            err.println("cerebrum: " + file.getFileName() + " is not a GGUF file (it does not start with the GGUF magic)");
            return PROBLEMS;
        }
        try {
            String description = GgufInspector.describe(file, ctx, parallel, MemoryEstimator.LlamaBuild.CURRENT);
            out.print(description);
            out.print(engines(file, ctx, parallel, defaultEngine));
            return OK;
        } catch (EngineException e) {
            err.println("cerebrum: " + e.getMessage());
            return PROBLEMS;
        }
    }

    /** Which engines present can load the file's architecture, with each one's RAM estimate. */
    private static String engines(Path file, int ctx, int parallel, String defaultEngine) {
        ModelSpec spec = ModelSpec.of("inspect", file, Math.max(ctx, 16 * parallel), 1, parallel);
        StringBuilder b = new StringBuilder("\nengines:\n");
        List<InferenceEngineProvider> providers = InferenceEngines.providers();
        int width = providers.stream().mapToInt(p -> p.name().length()).max().orElse(0);
        for (InferenceEngineProvider p : providers) {
            ModelInfo info = p.inspect(spec);
            boolean loads = p.supportsArchitecture(info.architecture());
            b.append(String.format(Locale.ROOT, "  %-" + width + "s  %s %s%s; %s%n", p.name(),
                    loads ? "loads" : "cannot load", info.architecture(),
                    loads ? ", estimated RAM " + mib(info.estimate().totalBytes()) : "",
                    p.version() + (p.name().equals(defaultEngine) ? "; the default engine" : "")));
        }
        return b.toString();
    }

    private static int option(List<String> args, int index, String name, Setting.Int bounds) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(name + " needs a number");
        }
        return bounds.parse(name, args.get(index));
    }

    static boolean hasGgufMagic(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(GGUF_MAGIC.length), GGUF_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Relative to the working directory when inside it, so the output carries no home-directory paths. */
    private static String shown(Path path, Path workDir) {
        Path abs = path.toAbsolutePath().normalize();
        Path base = workDir.toAbsolutePath().normalize();
        return abs.startsWith(base) ? base.relativize(abs).toString() : abs.toString();
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static void printTable(List<String[]> rows, PrintStream out) {
        int columns = rows.getFirst().length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                b.append(c == columns - 1 ? row[c] : String.format(Locale.ROOT, "%-" + width[c] + "s  ", row[c]));
            }
            out.println(b.toString().stripTrailing());
        }
    }
}
