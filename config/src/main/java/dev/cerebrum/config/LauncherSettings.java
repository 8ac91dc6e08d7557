package dev.cerebrum.config;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code ./cerebrum} needs to know, resolved exactly as the server resolves it (YAML file, {@code .env},
 * environment) and printed as shell assignments the launcher evaluates: {@code cfg_port=9000}, every value in
 * single quotes. The API key is never printed: the launcher learns only where it is set, and {@code smoke} has it
 * written into a header file of its own ({@code --key-header FILE}), so it never shows in a process list.
 * Run from the working directory; exit status 2 with a message naming the setting when one is invalid.
 */
public final class LauncherSettings {
    private LauncherSettings() {
    }

    /** Prints the launcher's view of the settings; {@code --key-header FILE} also writes the key's header. */
    public static void main(String[] args) {
        Path keyHeader = null;
        if (args.length == 2 && args[0].equals("--key-header")) {
            keyHeader = Path.of(args[1]);
        } else if (args.length != 0) {
            System.err.println("usage: LauncherSettings [--key-header FILE]");
            System.exit(2);
        }
        try {
            SettingsSources sources = SettingsSources.read(Path.of("").toAbsolutePath(), System.getenv(), Map.of());
            print(resolve(sources, Path.of("").toAbsolutePath()), System.out);
            if (keyHeader != null) {
                writeKeyHeader(sources.merged(), keyHeader);
            }
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println("cerebrum: " + e.getMessage());
            System.exit(2);
        }
    }

    /** The launcher's values, by the names the launcher reads ({@code cfg_} and this name). */
    static Map<String, String> resolve(SettingsSources sources, Path workDir) {
        Map<String, String> vars = sources.merged();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("env_file", sources.envFile() == null ? "" : sources.envFile().toString());
        out.put("api_key", switch (sources.originOf(SettingsTable.API_KEY.name())) {
            case OVERRIDE, ENVIRONMENT -> "environment";
            case ENV_FILE -> "env-file";
            case CONFIG_FILE -> "config-file";
            case DEFAULT -> "none";
        });
        int port = SettingsTable.PORT.read(vars);
        out.put("port", Integer.toString(port));
        out.put("base_url", "http://" + connectHost(SettingsTable.BIND_IP.read(vars)) + ":" + port);
        out.put("log_dir", workDir.resolve(SettingsTable.LOG_DIR.read(vars)).normalize().toString());
        out.put("run_dir", workDir.resolve(SettingsTable.RUN_DIR.read(vars)).normalize().toString());
        long grace = wholeSeconds(SettingsTable.SHUTDOWN_GRACE.read(vars));
        out.put("shutdown_grace", Long.toString(grace));
        out.put("start_timeout", Integer.toString(SettingsTable.START_TIMEOUT.read(vars)));
        Integer stop = SettingsTable.STOP_TIMEOUT.readIfSet(vars);
        out.put("stop_timeout", Long.toString(stop != null ? stop : grace + 15));
        String natives = SettingsTable.LLAMA_NATIVES_DIR.read(vars);
        out.put("llama_natives_dir", natives == null ? "" : workDir.resolve(natives).normalize().toString());
        String javaOpts = SettingsTable.JAVA_OPTS.read(vars);
        out.put("java_opts", javaOpts == null ? "" : javaOpts);
        return out;
    }

    /** The address to reach the server at: a wildcard bind is reached on loopback, IPv6 in brackets. */
    static String connectHost(String bindIp) {
        String ip = bindIp.strip();
        return switch (ip) {
            case "", "0.0.0.0" -> "127.0.0.1";
            case "::", "[::]" -> "[::1]";
            default -> ip.indexOf(':') >= 0 && !ip.startsWith("[") ? "[" + ip + "]" : ip;
        };
    }

    private static long wholeSeconds(Duration d) {
        return (d.toMillis() + 999) / 1000;
    }

    /** {@code cfg_NAME='VALUE'} lines, safe to evaluate in bash whatever the values hold. */
    static void print(Map<String, String> values, PrintStream out) {
        values.forEach((name, value) -> out.println("cfg_" + name + "=" + quote(value)));
    }

    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** Writes {@code X-API-Key: KEY} (the first key) into a new file only its owner may read; none without a key. */
    static void writeKeyHeader(Map<String, String> vars, Path file) {
        String keys = SettingsTable.API_KEY.read(vars);
        List<String> first = keys == null ? List.of()
                : Arrays.stream(keys.split(",")).map(String::strip).filter(k -> !k.isEmpty()).limit(1).toList();
        if (first.isEmpty()) {
            return;
        }
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, "X-API-Key: " + first.getFirst() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the key header file " + file.getFileName(), e);
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException("the key header file needs a POSIX file system", e);
        }
    }
}
