package dev.cerebrum.deploy;

import dev.cerebrum.gguf.SuccessorModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each launcher subcommand, run for real against the packaged server in a private working directory. */
class LauncherIT {
    private static final Pattern HEX_KEY = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern KEY_LINE = Pattern.compile("(?m)^CEREBRUM_API_KEY=([0-9a-f]{64})$");

    @TempDir
    Path home;

    private Launcher launcher;

    @BeforeAll
    static void serverIsPackaged() {
        assertTrue(Files.isRegularFile(Launcher.ROOT.resolve("server-helidon/target/server-helidon.jar")),
                "server-helidon must be packaged before these tests (mvn verify builds it first)");
    }

    @BeforeEach
    void setUp() {
        launcher = new Launcher(home);
    }

    @AfterEach
    void tearDown() {
        launcher.cleanUp();
    }

    @Test
    void stop_whenNothingRuns_saysSoAndSucceeds() {
        // when
        Launcher.Result r = launcher.run("stop");

        // then
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("nothing is running"), r.toString());
    }

    @Test
    void status_whenNothingRuns_exitsWithThree() {
        Launcher.Result r = launcher.run("status");

        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("not running"), r.toString());
    }

    @Test
    void start_twice_refusesTheSecond_thenStopEndsTheServerAndRemovesThePidFile() throws Exception {
        // given a first start, which creates .env with a key
        Launcher.Result first = launcher.run("start");
        assertEquals(0, first.exitCode(), first.toString());
        long pid = launcher.recordedPid();
        assertTrue(pid > 0, "a pid file is written");
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the recorded pid is alive");
        assertEquals(200, get("/health", null).statusCode());
        assertTrue(first.stdout().contains("created " + home.resolve(".env")), first.toString());
        assertFalse(first.all().contains(apiKey()), "the key itself is never printed");

        // when started again
        Launcher.Result second = launcher.run("start");

        // then it is refused and the first keeps running
        assertNotEquals(0, second.exitCode(), second.toString());
        assertTrue(second.stderr().contains("already running (pid " + pid + ","), second.toString());
        assertEquals(pid, launcher.recordedPid());
        Launcher.Result status = launcher.run("status");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.stdout().contains("running (pid " + pid + ")"), status.toString());
        assertTrue(status.stdout().contains("health: healthy"), status.toString());

        // and when stopped
        Launcher.Result stop = launcher.run("stop");
        assertEquals(0, stop.exitCode(), stop.toString());
        assertTrue(stop.stdout().contains("stopped"), stop.toString());
        assertFalse(Files.exists(home.resolve("run/cerebrum-backend.pid")), "the pid file is removed");
        assertTrue(waitUntilGone(pid), "the server process has ended");
        assertTrue(Files.readString(home.resolve("logs/backend.log")).contains("listening on"),
                "the server logged to logs/backend.log");
        assertEquals(3, launcher.run("status").exitCode());
    }

    @Test
    void start_whenThePortIsTaken_refusesWithoutStartingASecondServer() {
        // given a server of another working directory on the same port
        launcher.run("start");
        Launcher other = new Launcher(home.resolve("other")).env("CEREBRUM_VPS_PORT", Integer.toString(launcher.port()));
        try {
            // when
            Launcher.Result r = other.run("start");

            // then
            assertNotEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stderr().contains("something already answers on " + launcher.baseUrl()), r.toString());
            assertEquals(-1, other.recordedPid());
        } finally {
            other.cleanUp();
        }
    }

    @Test
    void start_whenTheServerCannotStart_showsWhyAndLeavesNoPidFile() {
        // given a setting the server refuses
        launcher.env("CEREBRUM_N_THREADS", "0");

        // when
        Launcher.Result r = launcher.run("start");

        // then
        assertNotEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("the server exited during start-up"), r.toString());
        assertTrue(r.stderr().contains("CEREBRUM_N_THREADS must be an integer from 1"), r.toString());
        assertEquals(-1, launcher.recordedPid(), "no pid file is left behind");
    }

    @Test
    void smoke_againstARunningServer_passesEveryCheck_andFailsWithAWrongKey() {
        // given
        Launcher.Result start = launcher.run("start");
        assertEquals(0, start.exitCode(), start.toString());

        // when
        Launcher.Result ok = launcher.run("smoke");

        // then every check passes, including the demo model's known answer
        assertEquals(0, ok.exitCode(), ok.toString());
        List<String> passes = ok.stdout().lines().filter(l -> l.startsWith("PASS")).toList();
        assertEquals(5, passes.size(), ok.toString());
        assertTrue(ok.stdout().contains("result 'defghijk'"), ok.toString());
        assertTrue(ok.stdout().contains("smoke: OK (5 checks passed)"), ok.toString());

        // when the key is wrong (the environment wins over .env)
        Launcher.Result wrong = launcher.env("CEREBRUM_API_KEY", "0".repeat(64)).run("smoke");

        // then the authenticated checks fail, readably, with a non-zero exit
        assertNotEquals(0, wrong.exitCode(), wrong.toString());
        assertTrue(wrong.stdout().contains("FAIL  GET /v1/models with the key -> 401"), wrong.toString());
        assertTrue(wrong.stdout().contains("smoke: FAILED"), wrong.toString());
    }

    @Test
    void start_runsTheServerAndItsModelWorkersOnTheModulePath() {
        // given a started server that has loaded its demo model
        assertEquals(0, launcher.run("start").exitCode());
        assertEquals(0, launcher.run("smoke").exitCode());
        ProcessHandle server = ProcessHandle.of(launcher.recordedPid()).orElseThrow();

        // then the server and its worker start as modules, not from a class path
        String serverLine = server.info().commandLine().orElseThrow();
        assertTrue(serverLine.contains(" -m dev.cerebrum.server/dev.cerebrum.server.Main"), serverLine);
        assertFalse(serverLine.contains(" -cp "), serverLine);
        List<String> workers = server.descendants().map(p -> p.info().commandLine().orElse(""))
                .filter(l -> l.contains("WorkerMain")).toList();
        assertEquals(1, workers.size(), workers.toString());
        // the demo model runs on the default engine, ffm
        assertTrue(workers.getFirst().contains(" -m dev.cerebrum.engine.ffm/"), workers.getFirst());
        assertTrue(workers.getFirst().contains("--enable-native-access=dev.cerebrum.engine.ffm,"), workers.getFirst());
        assertFalse(workers.getFirst().contains(" -cp "), workers.getFirst());
    }

    @Test
    void settings_areReadAsTheServerReadsThem_quotesCommentsAndConfigFileIncluded() throws IOException {
        // given the port only in a YAML file that .env names, in quotes and with a comment
        launcher.env("CEREBRUM_VPS_PORT", null);
        Files.writeString(home.resolve("cerebrum.yaml"), "cerebrum:\n  vps-port: " + launcher.port() + "\n");
        Files.writeString(home.resolve(".env"), "CEREBRUM_CONFIG_FILE=\"cerebrum.yaml\"   # the port is in here\n"
                + "CEREBRUM_API_KEY='" + "a".repeat(64) + "' # a key\n");

        // when the smoke test looks for the server (none runs)
        Launcher.Result r = launcher.run("smoke");

        // then it looked on the port of the YAML file
        assertTrue(r.stdout().contains("Smoke test of " + launcher.baseUrl()), r.toString());
        assertFalse(r.all().contains("a".repeat(64)), "the key is never printed");
    }

    @Test
    void anInvalidSetting_isRefusedByTheJavaSide_namingIt() throws IOException {
        Files.writeString(home.resolve(".env"), "CEREBRUM_STOP_TIMEOUT=soon\n");

        Launcher.Result r = launcher.run("stop");

        assertNotEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("CEREBRUM_STOP_TIMEOUT must be an integer from 1 to 86400 (was 'soon')"),
                r.toString());
    }

    @Test
    void docsCheck_findsTheReadmeAndEnvExampleUpToDate() {
        Launcher.Result r = launcher.run("docs", "--check");

        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("settings docs up to date"), r.toString());
    }

    @Test
    void start_withoutTheFfmEnginesLibraries_servesWithTheOldEngine_andSaysWhichModelsNeedTheNewOne() throws Exception {
        // given a natives folder without the libraries
        Path empty = Files.createDirectories(home.resolve("no-natives"));
        launcher.env("CEREBRUM_LLAMA_NATIVES_DIR", empty.toString());

        // when
        Launcher.Result start = launcher.run("start");

        // then the launcher says so plainly, and the server answers with the old engine
        assertEquals(0, start.exitCode(), start.toString());
        assertTrue(start.stderr().contains("CEREBRUM_LLAMA_NATIVES_DIR=" + empty + " holds no libllama.so: the ffm engine"
                + " cannot run, so the server"), start.toString());
        assertTrue(start.stderr().contains("serves with the java-llama.cpp engine (llama.cpp b4916). Models of newer"
                + " architectures (qwen3,"), start.toString());
        Launcher.Result smoke = launcher.run("smoke");
        assertEquals(0, smoke.exitCode(), smoke.toString());
        assertTrue(smoke.stdout().contains("result 'defghijk'"), smoke.toString());
        String log = Files.readString(home.resolve("logs/backend.log"));
        assertTrue(log.contains("engines: [llamacpp], the default for models that name none: llamacpp"), log);
        assertTrue(log.contains("the engine 'ffm' is not available: the llama.cpp libraries of the ffm engine"), log);
    }

    @Test
    void smoke_whenNothingRuns_failsOnHealth() {
        Launcher.Result r = launcher.run("smoke");

        assertNotEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("FAIL  GET /health -> no answer"), r.toString());
    }

    @Test
    void serve_createsEnvWithAKey_andServesInTheForegroundUntilTerminated() throws Exception {
        // given no .env
        assertFalse(Files.exists(home.resolve(".env")));

        // when
        Process serve = launcher.spawn("serve");
        try {
            // then it answers on the configured port, and .env holds a fresh key
            assertTrue(waitForHealth(Duration.ofSeconds(60)), "serve answers /health");
            String key = apiKey();
            assertTrue(HEX_KEY.matcher(key).matches());
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(home.resolve(".env")), "only the owner may read the key");
            assertEquals(401, get("/v1/models", null).statusCode());
            assertEquals(200, get("/v1/models", key).statusCode());
            assertTrue(Files.isRegularFile(home.resolve("models/demo.gguf")), "the demo model was generated");
        } finally {
            // SIGTERM to the JVM the launcher exec'ed into: a graceful stop
            serve.destroy();
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve ends on SIGTERM");
        }
        assertEquals(143, serve.exitValue(), "terminated by SIGTERM after a graceful stop");
    }

    @Test
    void keyWrite_replacesOnlyTheKeyLine_keepingEveryOtherLineAndThePermissions() throws IOException {
        // given a hand-written .env
        String before = """
                # my settings
                VPS_BIND_IP=127.0.0.1

                export CEREBRUM_API_KEY="old-key"   # rotated monthly
                CEREBRUM_N_THREADS=2
                MAX_CPU_PERCENT=80 # comment
                """;
        Path env = home.resolve(".env");
        Files.writeString(env, before);
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r-----"));

        // when
        Launcher.Result r = launcher.run("key", "--write");

        // then only the key line changed, the export prefix included
        assertEquals(0, r.exitCode(), r.toString());
        List<String> old = before.lines().toList();
        List<String> now = Files.readAllLines(env);
        assertEquals(old.size(), now.size());
        for (int i = 0; i < old.size(); i++) {
            if (i == 3) {
                assertTrue(now.get(i).matches("export CEREBRUM_API_KEY=[0-9a-f]{64}"), now.get(i));
            } else {
                assertEquals(old.get(i), now.get(i), "line " + (i + 1));
            }
        }
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(env));
        assertFalse(r.all().contains(now.get(3).substring("export CEREBRUM_API_KEY=".length())),
                "--write does not print the key");
    }

    @Test
    void keyWrite_withoutAnEnvFile_createsOneReadableByTheOwnerOnly() throws IOException {
        Launcher.Result r = launcher.run("key", "--write");

        assertEquals(0, r.exitCode(), r.toString());
        Matcher m = KEY_LINE.matcher(Files.readString(home.resolve(".env")));
        assertTrue(m.find());
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(home.resolve(".env")));
    }

    @Test
    void key_printsAFreshRandomKeyEachTime() {
        Launcher.Result a = launcher.run("key");
        Launcher.Result b = launcher.run("key");

        assertEquals(0, a.exitCode());
        assertTrue(HEX_KEY.matcher(a.stdout().strip()).matches(), a.toString());
        assertTrue(HEX_KEY.matcher(b.stdout().strip()).matches(), b.toString());
        assertNotEquals(a.stdout(), b.stdout());
        assertFalse(Files.exists(home.resolve(".env")), "key alone writes nothing");
    }

    @Test
    void modelsInspect_onAGeneratedGguf_printsMetadataAndTheEstimate() {
        // given a model file outside the working directory
        Path file = home.resolve("elsewhere/successor.gguf");
        createParent(file);
        SuccessorModel.write(file);

        // when
        Launcher.Result r = launcher.run("models", "inspect", file.toString(), "--ctx", "1024", "--parallel", "2");

        // then
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("architecture:    llama"), r.toString());
        assertTrue(r.stdout().contains("vocabulary:      286"), r.toString());
        assertTrue(r.stdout().contains("estimated RAM for context 1024, 2 slots"), r.toString());
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("\\s+total:\\s+[0-9.]+ MiB")), r.toString());
    }

    @Test
    void models_listsTheRegistryOfEnvWithEachFilesState() throws IOException {
        // given a registry named in .env, with a present and a missing model
        Path dir = home.resolve("m");
        createParent(dir.resolve("x"));
        SuccessorModel.write(dir.resolve("tiny.gguf"));
        Files.writeString(dir.resolve("registry.yaml"), "models:\n  tiny:\n    path: tiny.gguf\n  gone:\n    path: gone.gguf\n");
        Files.writeString(home.resolve(".env"), "CEREBRUM_MODELS_FILE=m/registry.yaml # mine\nCEREBRUM_MODELS_DIR=m\n");

        // when
        Launcher.Result r = launcher.run("models");

        // then
        assertEquals(1, r.exitCode(), "a missing model is a problem: " + r);
        assertTrue(r.stdout().startsWith("registry: m/registry.yaml (2 models)"), r.toString());
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("tiny\\s+present\\s+ffm\\s+m/tiny.gguf\\s.*")), r.toString());
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("gone\\s+missing\\s.*")), r.toString());
    }

    @Test
    void javaHome_withoutAnyJdk25_saysSoClearly() {
        // given JAVA_HOME at nothing usable and an empty JDK folder
        Path empty = home.resolve("no-jdks");
        createParent(empty.resolve("x"));
        launcher.env("JAVA_HOME", home.toString()).env("CEREBRUM_JVM_DIR", empty.toString())
                .env("PATH", "/usr/bin:/bin");

        // when
        Launcher.Result r = launcher.run("serve");

        // then
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("no JDK 25 or newer found"), r.toString());
        assertFalse(Files.exists(home.resolve(".env")), "nothing was set up");
    }

    @Test
    void javaHome_olderThan25_isSkippedForANewerJdk() throws IOException {
        // given a fake JDK 17 in JAVA_HOME
        Path old = home.resolve("jdk17");
        createParent(old.resolve("bin/java"));
        Files.writeString(old.resolve("release"), "JAVA_VERSION=\"17.0.9\"\n");
        Files.writeString(old.resolve("bin/java"), "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(old.resolve("bin/java"), PosixFilePermissions.fromString("rwxr-xr-x"));

        // when
        Launcher.Result r = launcher.env("JAVA_HOME", old.toString()).run("java-home");

        // then another JDK, of version 25 or newer, is chosen
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("is Java 17, not a JDK 25+"), r.toString());
        Path chosen = Path.of(r.stdout().strip());
        assertNotEquals(old, chosen);
        String release = Files.readString(chosen.resolve("release"));
        Matcher m = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(release);
        assertTrue(m.find(), release);
        assertTrue(Integer.parseInt(m.group(1)) >= 25, release);
    }

    @Test
    void help_listsEveryCommand() {
        Launcher.Result r = launcher.run("help");

        assertEquals(0, r.exitCode());
        for (String command : List.of("serve", "start", "stop", "status", "smoke", "key", "models", "models inspect",
                "build", "test", "docs")) {
            assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith("  " + command + " ")), command + " in\n" + r);
        }
        assertEquals(2, launcher.run("frobnicate").exitCode());
    }

    private String apiKey() throws IOException {
        Matcher m = KEY_LINE.matcher(Files.readString(home.resolve(".env")));
        assertTrue(m.find(), "a CEREBRUM_API_KEY line in .env");
        return m.group(1);
    }

    private HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(launcher.baseUrl() + path)).timeout(Duration.ofSeconds(10));
            if (key != null) {
                b.header("X-API-Key", key);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private boolean waitForHealth(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/health", null).statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        return false;
    }

    private static boolean waitUntilGone(long pid) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static void createParent(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
