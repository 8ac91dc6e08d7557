package dev.cerebrum.testcontainers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import dev.cerebrum.client.CerebrumClient;
import dev.cerebrum.client.FinishReason;
import dev.cerebrum.client.InferenceRequest;
import dev.cerebrum.client.InferenceResponse;
import dev.cerebrum.client.InferenceStream;
import dev.cerebrum.client.ModelList;
import dev.cerebrum.client.StreamEvent;
import dev.cerebrum.client.UnauthorizedException;
import dev.cerebrum.gguf.SuccessorModel;
import com.fasterxml.jackson.jr.ob.JSON;
import dev.cerebrum.gguf.GgmlType;
import dev.cerebrum.gguf.GgufInspector;
import dev.cerebrum.gguf.MemoryEstimator;
import dev.cerebrum.gguf.ModelShape;
import dev.cerebrum.gguf.RandomModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.output.Slf4jLogConsumer;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image built from this repository's Dockerfile, through {@link CerebrumBackendContainer}, with a
 * generated model mounted: the container as an orchestrator's integration test would use it.
 */
@ExtendWith(TestImage.RequiresDocker.class)
class CerebrumBackendContainerIT {
    private static final String MODEL = "successor";
    private static final String CODER = "coder";
    private static final int KV_CONTEXT = 32768;
    private static final long FLOOR_MB = 64;
    private static final Pattern MEMORY_REASON = Pattern.compile("model 'kv' needs about (\\d+) MB but (\\d+) MB of RAM"
            + " are available \\(cgroup memory limit 512 MB, (\\d+) MB in use\\) and 64 MB must stay free.*");
    private static final InferenceRequest ABC = InferenceRequest.builder(MODEL, "abc").maxTokens(8).temperature(0.0).build();

    @TempDir
    static Path models;

    private static TestImage image;
    private static CerebrumBackendContainer backend;
    private static CerebrumClient client;

    @BeforeAll
    static void startBackend() {
        image = TestImage.buildOrSkip();
        SuccessorModel.write(models.resolve("successor.gguf"));
        SuccessorModel.write(models.resolve("coder.gguf"), ModelShape.Architecture.QWEN3);
        backend = container().withModel(MODEL, models.resolve("successor.gguf"), 512, 2)
                .withModel(CODER, models.resolve("coder.gguf"), 512, 1);
        backend.start();
        client = backend.client();
    }

    @AfterAll
    static void stopBackend() {
        if (client != null) {
            client.close();
        }
        if (backend != null) {
            backend.stop();
        }
        if (image != null) {
            image.remove();
        }
    }

    /**
     * Tests that start a second container load the machine, and the backend's CPU rule counts that as other
     * processes' load for its window: each test ends once the shared backend says healthy again.
     */
    @AfterEach
    void backendIsCalmAgain() throws Exception {
        if (backend == null || !backend.isRunning()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"healthy".equals(getJson(backend, "/health").get("status")) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static CerebrumBackendContainer container() {
        return new CerebrumBackendContainer(image.name())
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("backend-container")));
    }

    @Test
    void inference_givesTheKnownAnswer() {
        // when
        InferenceResponse r = client.infer(ABC);

        // then
        assertEquals("defghijk", r.result());
        assertEquals(8, r.tokensGenerated());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(MODEL, r.model());
    }

    @Test
    void streaming_deliversEachTokenThenDone() {
        // when
        List<StreamEvent> events = new ArrayList<>();
        try (InferenceStream stream = client.stream(ABC)) {
            stream.forEachRemaining(events::add);
        }

        // then
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.size() - 1; i++) {
            StreamEvent.Token token = assertInstanceOf(StreamEvent.Token.class, events.get(i));
            assertEquals(i + 1, token.totalTokens());
            text.append(token.text());
        }
        assertEquals("defghijk", text.toString());
        StreamEvent.Done done = assertInstanceOf(StreamEvent.Done.class, events.getLast());
        assertEquals(8, done.totalTokens());
        assertEquals(FinishReason.LENGTH, done.finishReason());
    }

    @Test
    void requestsWithoutOrWithAWrongKey_get401_andHealthStaysPublic() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            // when
            int noKey = send(http, HttpRequest.newBuilder(backend.getEndpoint().resolve("/v1/models")));
            int wrongKey = send(http, HttpRequest.newBuilder(backend.getEndpoint().resolve("/v1/inference"))
                    .header("X-API-Key", "not-the-key").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"successor\",\"prompt\":\"abc\"}")));
            int health = send(http, HttpRequest.newBuilder(backend.getEndpoint().resolve("/health")));

            // then
            assertEquals(401, noKey);
            assertEquals(401, wrongKey);
            assertEquals(200, health);
        }
        try (CerebrumClient wrong = CerebrumClient.builder().endpoint(backend.getEndpoint()).apiKey("wrong").build()) {
            assertEquals(401, assertThrows(UnauthorizedException.class, wrong::models).status());
        }
    }

    private static int send(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void models_listsTheMountedModels() {
        // when
        ModelList list = client.models();

        // then
        assertEquals(List.of(MODEL, CODER), list.availableModels());
    }

    @Test
    void aQwen3Model_isServed_becauseTheImageCarriesTheFfmEnginesLibraries() throws Exception {
        // when a model of an architecture only the current llama.cpp knows is asked for
        InferenceResponse r = client.infer(InferenceRequest.builder(CODER, "abc").maxTokens(8).temperature(0.0).build());

        // then it gives its known answer, and the server says the ffm engine is the default
        assertEquals("defghijk", r.result());
        assertTrue(backend.getLogs().contains("engines: [ffm], the default for models that name none: ffm"),
                backend.getLogs());
        Container.ExecResult natives = backend.execInContainer("sh", "-c", "ls /app/natives");
        assertTrue(natives.getStdout().contains("libllama") && natives.getStdout().contains("LICENSE"),
                natives.getStdout());
    }

    @Test
    void image_runsAsANonRootUser_listensOnLoopbackOnly_andItsHealthcheckReportsHealthy() throws Exception {
        // when
        Container.ExecResult id = backend.execInContainer("id", "-u");
        String health = awaitHealthStatus(backend.getContainerId(), Duration.ofSeconds(90));

        // then
        assertEquals("10001", id.getStdout().strip());
        assertEquals("healthy", health, "the image's HEALTHCHECK (GET /health over bash /dev/tcp)");
        InspectContainerResponse info = backend.getContainerInfo();
        info.getNetworkSettings().getPorts().getBindings().values().stream().flatMap(Arrays::stream)
                .forEach(binding -> assertEquals("127.0.0.1", binding.getHostIp(), "published on loopback only"));
    }

    @Test
    void restart_keepsTheRegistry_andTheModelAnswersAgain() {
        // given a second container that has served a request
        try (CerebrumBackendContainer other = container().withModel(MODEL, models.resolve("successor.gguf"))) {
            other.start();
            String startedAt = startedAt(other);
            try (CerebrumClient before = other.client()) {
                assertEquals("defghijk", before.infer(ABC).result());
                assertEquals(List.of(MODEL), before.models().cachedModels());
            }

            // when the container is restarted in place
            other.restart();

            // then it is a fresh server process (nothing loaded) with the same registry, and answers again
            try (CerebrumClient after = other.client()) {
                ModelList list = after.models();
                assertEquals(List.of(MODEL), list.availableModels());
                assertEquals(List.of(), list.cachedModels(), "a restarted server starts with no model loaded");
                assertEquals("defghijk", after.infer(ABC).result());
            }
            assertNotEquals(startedAt, startedAt(other), "the same container was started again");
        }
    }

    @Test
    void aMemoryLimitBelowTheEstimatePlusTheFloor_refusesTheLoadNamingBothFigures_andTheContainerLivesOn()
            throws Exception {
        // given a model estimated (by the default engine, ffm) at about 650 MB, and a container limited to 512 MB
        // with a floor of 64 MB
        Path kv = kvModel();
        long estimate = GgufInspector.inspect(kv, KV_CONTEXT, 1, MemoryEstimator.LlamaBuild.CURRENT).estimate()
                .totalBytes();
        long limit = 512L << 20;
        assertTrue(estimate + (FLOOR_MB << 20) > limit, "estimate " + estimate);
        try (CerebrumBackendContainer small = container().withModel("kv", kv, KV_CONTEXT, 1).withMemory(limit)
                .withEnv("CEREBRUM_MIN_FREE_RAM_MB", Long.toString(FLOOR_MB))) {
            small.start();
            Map<String, Object> limits = limits(getJson(small, "/health"));
            assertEquals("cgroup", limits.get("memory"), limits.toString());
            assertEquals(limit, ((Number) limits.get("memory_limit_bytes")).longValue());

            // when the model is asked for, preloaded and by an inference
            HttpResponse<String> load = post(small, "/v1/load/kv", null);
            HttpResponse<String> inference = post(small, "/v1/inference",
                    "{\"model\": \"kv\", \"prompt\": \"abc\", \"max_tokens\": 4}");

            // then both are refused with 503, the reason naming the estimate and what the limit leaves
            for (HttpResponse<String> r : List.of(load, inference)) {
                assertEquals(503, r.statusCode(), r.body());
                Map<String, Object> body = JSON.std.mapFrom(r.body());
                assertEquals("VPS overloaded", body.get("error"));
                assertEquals("Fallback to CM4 local inference", body.get("suggestion"));
                Matcher m = MEMORY_REASON.matcher((String) body.get("reason"));
                assertTrue(m.matches(), r.body());
                assertEquals((estimate + (1 << 20) - 1) >> 20, Long.parseLong(m.group(1)), "the estimate in MB");
                long available = Long.parseLong(m.group(2));
                long inUse = Long.parseLong(m.group(3));
                assertTrue(Math.abs(available + inUse - 512) <= 4, "available + in use = the limit: " + r.body());
                assertTrue(inUse > 50, "the server itself uses memory under the limit: " + r.body());
            }
            // and the container was not OOM-killed: still running, the model never loaded, /health answers
            var state = DockerClientFactory.instance().client().inspectContainerCmd(small.getContainerId()).exec()
                    .getState();
            assertEquals(Boolean.FALSE, state.getOOMKilled());
            assertEquals(Boolean.TRUE, state.getRunning());
            assertEquals(200, send(HttpClient.newHttpClient(), HttpRequest.newBuilder(small.getEndpoint().resolve("/health"))));
            try (CerebrumClient c = small.client()) {
                assertEquals(List.of(), c.models().cachedModels());
            }
        }
    }

    @Test
    void aMemoryLimitAboveTheEstimatePlusTheFloor_loadsTheModel_andACpuQuotaIsReportedAsTheLimit() throws Exception {
        // given the same model in a container with 2 GiB and one CPU
        Path kv = kvModel();
        long limit = 2048L << 20;
        try (CerebrumBackendContainer roomy = container().withModel("kv", kv, KV_CONTEXT, 1).withMemory(limit)
                .withCpus(1.0).withEnv("CEREBRUM_MIN_FREE_RAM_MB", Long.toString(FLOOR_MB))) {
            roomy.start();
            Map<String, Object> health = getJson(roomy, "/health");
            Map<String, Object> limits = limits(health);
            assertEquals("cgroup", limits.get("memory"), health.toString());
            assertEquals(limit, ((Number) limits.get("memory_limit_bytes")).longValue());
            assertEquals("cgroup", limits.get("cpu"), health.toString());
            assertEquals(1.0, ((Number) limits.get("cpu_allowed_cores")).doubleValue());
            assertTrue(((Number) health.get("ram_available_gb")).doubleValue() <= 2.0, health.toString());

            // when
            HttpResponse<String> load = post(roomy, "/v1/load/kv", null);
            HttpResponse<String> inference = post(roomy, "/v1/inference",
                    "{\"model\": \"kv\", \"prompt\": \"abc\", \"max_tokens\": 4, \"ignore_eos\": true}");

            // then it loads and answers
            assertEquals(200, load.statusCode(), load.body());
            assertEquals(200, inference.statusCode(), inference.body());
            assertEquals(4, ((Number) JSON.std.mapFrom(inference.body()).get("tokens_generated")).intValue());
            // /health reads the background sample (every second): the worker's memory shows by the next one
            Map<String, Object> after = getJson(roomy, "/health");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (inUse(after) <= 300L << 20 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                after = getJson(roomy, "/health");
            }
            System.out.println("2 GiB, 1 CPU, model loaded: " + after);
            assertTrue(inUse(after) > 300L << 20, "the worker's memory counts under the limit: " + after);
        }
    }

    /** A random model whose KV cache (512 MiB) makes its estimate large while its file stays small (12 MB). */
    private static Path kvModel() {
        Path file = models.resolve("kv.gguf");
        if (!Files.exists(file)) {
            RandomModel.write(file, new ModelShape(16, 256, 512, 4, 4, 512, KV_CONTEXT), GgmlType.Q8_0, 1);
        }
        return file;
    }

    private static long inUse(Map<String, Object> health) {
        return ((Number) limits(health).get("memory_in_use_bytes")).longValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> limits(Map<String, Object> health) {
        return (Map<String, Object>) health.get("limits");
    }

    private static Map<String, Object> getJson(CerebrumBackendContainer c, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(c.getEndpoint().resolve(path))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            return JSON.std.mapFrom(r.body());
        }
    }

    private static HttpResponse<String> post(CerebrumBackendContainer c, String path, String json) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(c.getEndpoint().resolve(path)).timeout(Duration.ofSeconds(120))
                    .header("X-API-Key", c.getApiKey()).header("Content-Type", "application/json")
                    .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void withoutAnApiKey_theContainerRefusesToRun() {
        // given a container of the image created without CEREBRUM_API_KEY
        DockerClient docker = DockerClientFactory.instance().client();
        CreateContainerResponse created = docker.createContainerCmd(image.name()).exec();
        try {
            // when
            docker.startContainerCmd(created.getId()).exec();
            Integer exit = docker.waitContainerCmd(created.getId()).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(60, TimeUnit.SECONDS);
            String logs = logs(docker, created.getId());

            // then
            assertEquals(64, exit, logs);
            assertTrue(logs.contains("CEREBRUM_API_KEY is not set"), logs);
        } finally {
            docker.removeContainerCmd(created.getId()).withForce(true).withRemoveVolumes(true).exec();
        }
    }

    private static String startedAt(CerebrumBackendContainer c) {
        return DockerClientFactory.instance().client().inspectContainerCmd(c.getContainerId()).exec().getState().getStartedAt();
    }

    private static String logs(DockerClient docker, String id) {
        StringBuilder b = new StringBuilder();
        try {
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true)
                    .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
                        @Override
                        public void onNext(com.github.dockerjava.api.model.Frame frame) {
                            b.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }).awaitCompletion(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return b.toString();
    }

    private static String awaitHealthStatus(String containerId, Duration timeout) throws InterruptedException {
        DockerClient docker = DockerClientFactory.instance().client();
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = "none";
        while (System.nanoTime() < deadline) {
            var health = docker.inspectContainerCmd(containerId).exec().getState().getHealth();
            status = health == null ? "none" : health.getStatus();
            if (!"starting".equals(status)) {
                return status;
            }
            Thread.sleep(1000);
        }
        return status;
    }
}
