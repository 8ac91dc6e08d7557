package dev.cerebrum.guard;

import dev.cerebrum.config.Setting;
import dev.cerebrum.config.SettingsTable;
import dev.cerebrum.engine.ModelSpec;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The models that may be loaded, read from the YAML registry (or the demo registry when the file is
 * absent). Never throws for bad content: a broken entry is listed as unavailable with a reason, a bad
 * file is reported in {@link #problems()}.
 */
public final class ModelRegistry {
    /** The name of the model of the demo registry. */
    public static final String DEMO_MODEL = "demo";
    /** The file of the demo model, inside the models directory. */
    public static final String DEMO_FILE = "demo.gguf";

    static final int MAX_FILE_BYTES = 1024 * 1024;
    /** The largest chat template file read; real templates are under 30 KB. */
    static final int MAX_TEMPLATE_BYTES = 256 * 1024;
    static final Set<String> KEYS = Set.of("path", "ctx_size", "threads", "parallel", "idle_unload_minutes",
            "pinned", "batch_size", "seed", "chat_template", "engine");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final Pattern ENGINE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");

    private final List<ModelEntry> entries;
    private final boolean demo;
    private final List<String> problems;
    private final Map<String, String> chatTemplates;

    private ModelRegistry(List<ModelEntry> entries, boolean demo, List<String> problems) {
        this(entries, demo, problems, Map.of());
    }

    private ModelRegistry(List<ModelEntry> entries, boolean demo, List<String> problems,
                          Map<String, String> chatTemplates) {
        this.entries = List.copyOf(entries);
        this.demo = demo;
        this.problems = List.copyOf(problems);
        this.chatTemplates = Map.copyOf(chatTemplates);
    }

    /** Reads the registry the settings name; the demo registry when that file does not exist. */
    public static ModelRegistry load(GuardSettings settings) {
        Path file = settings.modelsFile();
        if (!Files.exists(file)) {
            return demo(settings);
        }
        String name = fileName(file);
        if (!Files.isRegularFile(file)) {
            return new ModelRegistry(List.of(), false, List.of("models file '" + name + "' is not a regular file"));
        }
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                return new ModelRegistry(List.of(), false,
                        List.of("models file '" + name + "' is larger than " + MAX_FILE_BYTES + " bytes"));
            }
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            return new ModelRegistry(List.of(), false, List.of("models file '" + name + "' is not UTF-8 text"));
        } catch (IOException e) {
            return new ModelRegistry(List.of(), false, List.of("models file '" + name + "' cannot be read"));
        }
        return parse(text, name, settings);
    }

    /** The demo registry: one model {@value #DEMO_MODEL} at {@code <modelsDir>/demo.gguf}, context 512, 2 slots. */
    public static ModelRegistry demo(GuardSettings settings) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("path", DEMO_FILE);
        values.put("ctx_size", 512);
        values.put("parallel", 2);
        return new ModelRegistry(List.of(entry(DEMO_MODEL, values, settings, new LinkedHashMap<>())), true, List.of());
    }

    /** A registry of the given entries, for embedding and tests. */
    public static ModelRegistry of(List<ModelEntry> entries) {
        return new ModelRegistry(entries, false, List.of());
    }

    /** A registry of the given entries with chat templates that override the models' own, by model name. */
    public static ModelRegistry of(List<ModelEntry> entries, Map<String, String> chatTemplates) {
        return new ModelRegistry(entries, false, List.of(), chatTemplates);
    }

    /** Parses registry YAML; {@code fileName} only names the file in problems. */
    static ModelRegistry parse(String yaml, String fileName, GuardSettings settings) {
        Object root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            options.setCodePointLimit(MAX_FILE_BYTES);
            root = new Yaml(new SafeConstructor(options)).load(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            return broken("models file '" + fileName + "' is not valid YAML: " + describe(e));
        } catch (YAMLException e) {
            return broken("models file '" + fileName + "' is not valid YAML");
        }
        if (root == null) {
            return broken("models file '" + fileName + "' is empty; no models are registered");
        }
        if (!(root instanceof Map<?, ?> top)) {
            return broken("models file '" + fileName + "' must be a mapping with a 'models' key");
        }
        List<String> problems = new ArrayList<>();
        for (Object key : top.keySet()) {
            if (!"models".equals(key)) {
                problems.add("models file '" + fileName + "': unknown top-level key '" + key + "' was ignored");
            }
        }
        Object models = top.get("models");
        if (models == null) {
            problems.add("models file '" + fileName + "' registers no models ('models' is missing or empty)");
            return new ModelRegistry(List.of(), false, problems);
        }
        if (!(models instanceof Map<?, ?> modelMap)) {
            problems.add("models file '" + fileName + "': 'models' must be a mapping of names to entries");
            return new ModelRegistry(List.of(), false, problems);
        }
        List<ModelEntry> entries = new ArrayList<>();
        Map<String, String> templates = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : modelMap.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!NAME.matcher(name).matches()) {
                problems.add("models file '" + fileName + "': model name '" + printable(name)
                        + "' is invalid (letters, digits, '.', '_', ':', '-'; at most 64)");
                continue;
            }
            entries.add(entry(name, e.getValue(), settings, templates));
        }
        return new ModelRegistry(entries, false, problems, templates);
    }

    private static ModelRegistry broken(String problem) {
        return new ModelRegistry(List.of(), false, List.of(problem));
    }

    /**
     * One entry; every problem found is listed in the reason. The file is checked only for a valid entry. A
     * chat template read from the entry's {@code chat_template} file is put in {@code templates}.
     */
    private static ModelEntry entry(String name, Object value, GuardSettings settings, Map<String, String> templates) {
        int idle = settings.idleUnloadMinutes();
        if (!(value instanceof Map<?, ?> map)) {
            return ModelEntry.Broken.invalid(name, "entry must be a mapping with at least 'path'", idle, false);
        }
        List<String> errors = new ArrayList<>();
        for (Object key : map.keySet()) {
            if (!(key instanceof String k) || !KEYS.contains(k)) {
                errors.add("unknown key '" + printable(String.valueOf(key)) + "'");
            }
        }
        // The per-model keys share the bounds of the settings that give their defaults.
        int ctx = intValue(map, "ctx_size", settings.defaultContextSize(), SettingsTable.CTX_SIZE, errors);
        int threads = intValue(map, "threads", settings.defaultThreads(), SettingsTable.THREADS, errors);
        int parallel = intValue(map, "parallel", settings.defaultParallel(), SettingsTable.PARALLEL, errors);
        idle = intValue(map, "idle_unload_minutes", idle, SettingsTable.IDLE_UNLOAD_MINUTES, errors);
        int batch = intValue(map, "batch_size", ModelSpec.DEFAULT_BATCH_SIZE, 1, 1 << 16, errors);
        long seed = intValue(map, "seed", 0, 0, Integer.MAX_VALUE, errors);
        boolean pinned = false;
        Object p = map.get("pinned");
        if (p != null) {
            if (p instanceof Boolean b) {
                pinned = b;
            } else {
                errors.add("pinned must be true or false");
            }
        }
        Optional<String> engine = Optional.empty();
        Object rawEngine = map.get("engine");
        if (rawEngine != null) {
            if (rawEngine instanceof String engineName && ENGINE.matcher(engineName).matches()) {
                engine = Optional.of(engineName);
            } else {
                errors.add("engine must be an engine's name, for example ffm or llamacpp");
            }
        }
        if (ctx < 16 * parallel && errors.stream().noneMatch(s -> s.startsWith("ctx_size") || s.startsWith("parallel"))) {
            errors.add("ctx_size " + ctx + " is too small for " + parallel + " slots (at least 16 tokens each)");
        }
        String chatTemplate = chatTemplate(map.get("chat_template"), settings, errors);
        Path path = null;
        Object rawPath = map.get("path");
        if (rawPath == null) {
            errors.add("path is required");
        } else if (!(rawPath instanceof String s) || s.isBlank()) {
            errors.add("path must be a file name");
        } else {
            try {
                Path given = Path.of(s);
                path = (given.isAbsolute() ? given : settings.modelsDir().resolve(given)).normalize();
                if (path.getFileName() == null) {
                    errors.add("path must be a file name");
                    path = null;
                }
            } catch (InvalidPathException e) {
                errors.add("path is not a valid file name");
            }
        }
        if (!errors.isEmpty() || path == null) {
            return ModelEntry.Broken.invalid(name, String.join("; ", errors), idle, pinned);
        }
        ModelSpec spec;
        try {
            spec = new ModelSpec(name, path, ctx, threads, threads, parallel, batch, seed);
        } catch (IllegalArgumentException e) {
            return ModelEntry.Broken.invalid(name, "invalid settings", idle, pinned);
        }
        if (chatTemplate != null) {
            templates.put(name, chatTemplate);
        }
        ModelEntry.Usable usable = new ModelEntry.Usable(name, spec, idle, pinned, engine);
        return ModelFiles.check(path).<ModelEntry>map(f -> usable.broken(f.problem(), f.reason())).orElse(usable);
    }

    private static int intValue(Map<?, ?> map, String key, int fallback, Setting.Int bounds, List<String> errors) {
        return intValue(map, key, fallback, bounds.min(), bounds.max(), errors);
    }

    /**
     * The text of the {@code chat_template} file (relative to the models directory, like {@code path}), null
     * when the key is absent; a problem is added to {@code errors} naming the file by its name only.
     */
    private static String chatTemplate(Object value, GuardSettings settings, List<String> errors) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || s.isBlank()) {
            errors.add("chat_template must be a file name");
            return null;
        }
        Path file;
        try {
            Path given = Path.of(s);
            file = (given.isAbsolute() ? given : settings.modelsDir().resolve(given)).normalize();
        } catch (InvalidPathException e) {
            errors.add("chat_template is not a valid file name");
            return null;
        }
        String name = fileName(file);
        try {
            if (!Files.isRegularFile(file)) {
                errors.add("chat_template file '" + name + "' does not exist or is not a regular file");
                return null;
            }
            if (Files.size(file) > MAX_TEMPLATE_BYTES) {
                errors.add("chat_template file '" + name + "' is larger than " + MAX_TEMPLATE_BYTES + " bytes");
                return null;
            }
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
            if (text.isBlank()) {
                errors.add("chat_template file '" + name + "' is empty");
                return null;
            }
            return text;
        } catch (CharacterCodingException e) {
            errors.add("chat_template file '" + name + "' is not UTF-8 text");
        } catch (IOException e) {
            errors.add("chat_template file '" + name + "' cannot be read");
        }
        return null;
    }

    private static int intValue(Map<?, ?> map, String key, int fallback, int min, int max, List<String> errors) {
        Object v = map.get(key);
        if (v == null) {
            if (map.containsKey(key)) {
                errors.add(key + " must be an integer");
            }
            return fallback;
        }
        if (!(v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger)) {
            errors.add(key + " must be an integer");
            return fallback;
        }
        java.math.BigInteger n = new java.math.BigInteger(v.toString());
        if (n.compareTo(java.math.BigInteger.valueOf(min)) < 0 || n.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            errors.add(key + " must be between " + min + " and " + max + ", was " + n);
            return fallback;
        }
        return n.intValue();
    }

    private static String describe(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "syntax error" : e.getProblem();
        Mark mark = e.getProblemMark();
        return mark == null ? problem : problem + " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    /** The file name only: reasons never carry an absolute path. */
    static String fileName(Path path) {
        Path name = path.getFileName();
        return name == null ? "?" : name.toString();
    }

    private static String printable(String s) {
        String cleaned = s.replaceAll("[\\p{Cntrl}]", "?");
        return cleaned.length() > 64 ? cleaned.substring(0, 64) + "..." : cleaned;
    }

    /** Every registered model, in file order, broken ones included. */
    public List<ModelEntry> entries() {
        return entries;
    }

    /** The entry of that name. */
    public Optional<ModelEntry> find(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /**
     * The Jinja source of the chat template the registry sets for the model ({@code chat_template}), which
     * overrides the one in its GGUF file; empty when the registry sets none.
     */
    public Optional<String> chatTemplate(String model) {
        return Optional.ofNullable(chatTemplates.get(model));
    }

    /** True when the models file was absent and the demo registry is used. */
    public boolean isDemo() {
        return demo;
    }

    /** File-level problems (unreadable or invalid YAML, ignored keys); empty when the file is fine. */
    public List<String> problems() {
        return problems;
    }
}
