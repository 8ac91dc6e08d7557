package dev.cerebrum.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The raw settings in their layers, lowest first: an optional YAML file ({@code CEREBRUM_CONFIG_FILE}), the
 * {@code .env} file of the working directory ({@code CEREBRUM_ENV_FILE}), the process environment, then explicit
 * overrides. The server, {@code ./cerebrum models} and the launcher all read their settings through this class,
 * so {@code .env} has exactly one parser.
 *
 * @param configFile  the variables of the YAML file (empty when there is none)
 * @param dotEnv      the variables of the env file (empty when there is none)
 * @param environment the process environment
 * @param overrides   settings that win over every other source
 * @param envFile     the env file read, or null when it is turned off
 */
public record SettingsSources(Map<String, String> configFile, Map<String, String> dotEnv,
                              Map<String, String> environment, Map<String, String> overrides, Path envFile) {
    private static final int MAX_CONFIG_BYTES = 1024 * 1024;

    /** Where a setting's value comes from. */
    public enum Origin {
        /** An explicit override. */
        OVERRIDE,
        /** The process environment. */
        ENVIRONMENT,
        /** The env file. */
        ENV_FILE,
        /** The YAML file. */
        CONFIG_FILE,
        /** Nowhere: the default applies. */
        DEFAULT
    }

    public SettingsSources {
        configFile = Map.copyOf(configFile);
        dotEnv = Map.copyOf(dotEnv);
        environment = Map.copyOf(environment);
        overrides = Map.copyOf(overrides);
    }

    /**
     * Reads the layers. {@code CEREBRUM_ENV_FILE} (default {@code .env}) is looked up in the overrides and the
     * environment, {@code CEREBRUM_CONFIG_FILE} there and in the env file; relative paths resolve against
     * {@code workDir}.
     *
     * @throws IllegalArgumentException when the env file is malformed, or the YAML file is missing or malformed;
     *                                  the message never quotes a value
     */
    public static SettingsSources read(Path workDir, Map<String, String> environment, Map<String, String> overrides) {
        String envFileName = firstOf(SettingsTable.ENV_FILE.name(), overrides, environment);
        Path envFile = envFileName != null && envFileName.isBlank() ? null
                : workDir.resolve(envFileName == null ? SettingsTable.ENV_FILE.defaultValue() : envFileName.strip());
        Map<String, String> dotEnv = envFile == null ? Map.of() : DotEnv.read(envFile);

        String configName = firstOf(SettingsTable.CONFIG_FILE.name(), overrides, environment, dotEnv);
        Map<String, String> config = configName == null || configName.isBlank() ? Map.of()
                : yaml(workDir.resolve(configName.strip()));
        return new SettingsSources(config, dotEnv, environment, overrides, envFile);
    }

    /** The merged variables of {@link #read}: each from the highest layer that has it. */
    public static Map<String, String> merge(Path workDir, Map<String, String> environment,
                                            Map<String, String> overrides) {
        return read(workDir, environment, overrides).merged();
    }

    /** Each variable from the highest layer that has it. */
    public Map<String, String> merged() {
        Map<String, String> merged = new LinkedHashMap<>(configFile);
        merged.putAll(dotEnv);
        merged.putAll(environment);
        merged.putAll(overrides);
        return merged;
    }

    /** Where the value of {@code name} comes from; a blank value counts as unset. */
    public Origin originOf(String name) {
        if (isSet(overrides, name)) {
            return Origin.OVERRIDE;
        }
        if (isSet(environment, name)) {
            return Origin.ENVIRONMENT;
        }
        if (isSet(dotEnv, name)) {
            return Origin.ENV_FILE;
        }
        return isSet(configFile, name) ? Origin.CONFIG_FILE : Origin.DEFAULT;
    }

    private static boolean isSet(Map<String, String> layer, String name) {
        String v = layer.get(name);
        return v != null && !v.isBlank();
    }

    @SafeVarargs
    private static String firstOf(String key, Map<String, String>... layers) {
        for (Map<String, String> layer : layers) {
            if (layer.containsKey(key)) {
                return layer.get(key);
            }
        }
        return null;
    }

    /**
     * Reads a YAML file into variables the way Helidon maps environment variables onto configuration keys:
     * the key path {@code cerebrum.vps-port} is {@code CEREBRUM_VPS_PORT}, a top-level {@code MAX_CPU_PERCENT}
     * stays as it is, and a list of values becomes one comma-separated value. Scalars are taken as written.
     */
    static Map<String, String> yaml(Path file) {
        String configName = SettingsTable.CONFIG_FILE.name();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("the configuration file named by " + configName
                    + " does not exist: " + file.getFileName());
        }
        Node root;
        try {
            if (Files.size(file) > MAX_CONFIG_BYTES) {
                throw new IllegalArgumentException("the configuration file " + file.getFileName()
                        + " is larger than " + MAX_CONFIG_BYTES + " bytes");
            }
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                root = new Yaml(new SafeConstructor(options)).compose(reader);
            }
        } catch (IOException | YAMLException e) {
            throw new IllegalArgumentException("the configuration file " + file.getFileName() + " cannot be read", e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (root == null) {
            return out;
        }
        if (!(root instanceof MappingNode)) {
            throw new IllegalArgumentException("the configuration file " + file.getFileName() + " must be a mapping");
        }
        flatten(root, List.of(), out, file);
        return out;
    }

    private static void flatten(Node node, List<String> path, Map<String, String> out, Path file) {
        switch (node) {
            case MappingNode mapping -> {
                for (NodeTuple tuple : mapping.getValue()) {
                    if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                        throw new IllegalArgumentException("the configuration file " + file.getFileName()
                                + " has a key that is not a plain name");
                    }
                    List<String> child = new ArrayList<>(path);
                    child.add(key.getValue());
                    flatten(tuple.getValueNode(), child, out, file);
                }
            }
            case SequenceNode sequence -> {
                List<String> values = new ArrayList<>();
                for (int i = 0; i < sequence.getValue().size(); i++) {
                    Node item = sequence.getValue().get(i);
                    if (item instanceof ScalarNode scalar) {
                        values.add(text(scalar));
                    } else {
                        List<String> child = new ArrayList<>(path);
                        child.add(Integer.toString(i));
                        flatten(item, child, out, file);
                    }
                }
                if (!values.isEmpty()) {
                    out.put(variable(path), String.join(",", values));
                }
            }
            case ScalarNode scalar -> out.put(variable(path), text(scalar));
            default -> throw new IllegalArgumentException("the configuration file " + file.getFileName()
                    + " holds an unsupported node");
        }
    }

    private static String text(ScalarNode scalar) {
        return Objects.equals(scalar.getTag(), Tag.NULL) ? "" : scalar.getValue();
    }

    private static String variable(List<String> segments) {
        return String.join("_", segments).replace('-', '_').replace('.', '_').toUpperCase(Locale.ROOT);
    }
}
