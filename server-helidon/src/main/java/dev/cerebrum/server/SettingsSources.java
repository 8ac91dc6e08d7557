package dev.cerebrum.server;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.yaml.YamlConfigParser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Layers the raw settings, lowest first: an optional YAML file ({@code CEREBRUM_CONFIG_FILE}), the
 * {@code .env} file of the working directory, the process environment, then explicit overrides.
 */
final class SettingsSources {
    static final String CONFIG_FILE = "CEREBRUM_CONFIG_FILE";
    static final String ENV_FILE = "CEREBRUM_ENV_FILE";
    private static final Pattern INDEX = Pattern.compile("\\d+");

    private SettingsSources() {
    }

    /**
     * The merged variables. {@code CEREBRUM_ENV_FILE} (default {@code .env}) and {@code CEREBRUM_CONFIG_FILE}
     * are themselves looked up in the higher layers; relative paths resolve against {@code workDir}.
     */
    static Map<String, String> merge(Path workDir, Map<String, String> environment, Map<String, String> overrides) {
        String envFileName = firstOf(ENV_FILE, overrides, environment);
        Map<String, String> dotEnv = envFileName != null && envFileName.isBlank()
                ? Map.of()
                : DotEnv.read(workDir.resolve(envFileName == null ? ".env" : envFileName));

        String configFile = firstOf(CONFIG_FILE, overrides, environment, dotEnv);
        Map<String, String> merged = new LinkedHashMap<>();
        if (configFile != null && !configFile.isBlank()) {
            merged.putAll(yaml(workDir.resolve(configFile)));
        }
        merged.putAll(dotEnv);
        merged.putAll(environment);
        merged.putAll(overrides);
        return merged;
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
     * Reads a YAML file into variables. A key path becomes the variable name the way Helidon maps
     * environment variables: {@code cerebrum.vps-port} is {@code CEREBRUM_VPS_PORT}; a top-level
     * {@code MAX_CPU_PERCENT} stays as it is. A list becomes a comma-separated value.
     */
    static Map<String, String> yaml(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("the configuration file named by " + CONFIG_FILE
                    + " does not exist: " + file.getFileName());
        }
        Config config;
        try {
            config = Config.builder()
                    .disableEnvironmentVariablesSource()
                    .disableSystemPropertiesSource()
                    .disableParserServices()
                    .addParser(YamlConfigParser.create())
                    .sources(ConfigSources.file(file))
                    .build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the configuration file " + file.getFileName() + " cannot be read", e);
        }
        Map<String, List<String>> lists = new TreeMap<>();
        Map<String, String> out = new LinkedHashMap<>();
        config.traverse().filter(Config::isLeaf).forEach(node -> {
            List<String> segments = segments(node);
            String value = node.asString().orElse("");
            if (segments.size() > 1 && INDEX.matcher(segments.getLast()).matches()) {
                lists.computeIfAbsent(variable(segments.subList(0, segments.size() - 1)), k -> new ArrayList<>())
                        .add(value);
            } else {
                out.put(variable(segments), value);
            }
        });
        lists.forEach((k, v) -> out.put(k, String.join(",", v)));
        return out;
    }

    private static List<String> segments(Config node) {
        List<String> segments = new ArrayList<>();
        for (Config.Key key = node.key(); key != null && !key.isRoot(); key = key.parent()) {
            segments.addFirst(key.name());
        }
        return segments;
    }

    private static String variable(List<String> segments) {
        return String.join("_", segments).replace('-', '_').replace('.', '_').toUpperCase(Locale.ROOT);
    }
}
