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
import org.junit.jupiter.api.AfterAll;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        backend = container().withModel(MODEL, models.resolve("successor.gguf"), 512, 2);
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
    void models_listsTheMountedModel() {
        // when
        ModelList list = client.models();

        // then
        assertEquals(List.of(MODEL), list.availableModels());
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
