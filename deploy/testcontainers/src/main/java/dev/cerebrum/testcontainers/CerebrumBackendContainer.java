package dev.cerebrum.testcontainers;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.cerebrum.client.CerebrumClient;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Cerebrum backend in a Docker container, for integration tests of its clients (the orchestrator).
 *
 * <pre>{@code
 * try (var backend = new CerebrumBackendContainer("cerebrum-backend:latest")
 *         .withModel("qwen_7b", Path.of("models/qwen-7b-q4.gguf"))) {
 *     backend.start();
 *     CerebrumClient client = backend.client();
 * }
 * }</pre>
 *
 * <p>Models given with {@link #withModel} are bind-mounted read-only into {@code /models} and a registry
 * listing them is written there; without any, the image's demo model {@code demo} is used. The API key is
 * random unless set with {@link #withApiKey}. The port is published on 127.0.0.1 only, and the container
 * counts as started once {@code GET /health} answers 200. The backend's guard runs with its defaults: its CPU
 * rule judges only other processes' load, so a test's own sequential requests are never refused for CPU.
 * {@link #withMemory} and {@link #withCpus} limit the container as {@code docker run --memory/--cpus} do,
 * and the backend's guard judges its memory and CPU against those limits.
 */
public class CerebrumBackendContainer extends GenericContainer<CerebrumBackendContainer> {
    /** The port the backend listens on inside the container. */
    public static final int PORT = 9000;
    /** Where the image keeps its models and registry. */
    public static final String MODELS_DIR = "/models";
    /** How long a start (JVM start and registry read; models load on first use) may take. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(2);

    // The backend's own rule for registry names.
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final String LOOPBACK = "127.0.0.1";
    private static final long MIN_MEMORY_BYTES = 6L << 20;

    private final Map<String, ModelMount> models = new LinkedHashMap<>();
    private String apiKey = randomKey();
    private long memoryBytes;
    private double cpus;
    private volatile InspectContainerResponse infoAfterRestart;
    private boolean mountsConfigured;

    /** A container of the given image, e.g. {@code cerebrum-backend:latest}. */
    public CerebrumBackendContainer(String image) {
        this(DockerImageName.parse(image));
    }

    /** A container of the given image. */
    public CerebrumBackendContainer(DockerImageName image) {
        super(image);
        withExposedPorts(PORT);
        waitingFor(Wait.forHttp("/health").forPort(PORT).forStatusCode(200)
                .withStartupTimeout(DEFAULT_STARTUP_TIMEOUT));
        // Test traffic stays on loopback: the port is published on 127.0.0.1, never on every interface.
        withCreateContainerCmdModifier(cmd -> {
            HostConfig host = Objects.requireNonNull(cmd.getHostConfig()).withPublishAllPorts(false)
                    .withPortBindings(new PortBinding(Ports.Binding.bindIp(LOOPBACK), ExposedPort.tcp(PORT)));
            if (memoryBytes > 0) {
                // Swap equal to the limit means none: the limit is what the processes can really use.
                host.withMemory(memoryBytes).withMemorySwap(memoryBytes);
            }
            if (cpus > 0) {
                host.withNanoCPUs(Math.round(cpus * 1e9));
            }
        });
    }

    /**
     * Limits the container's memory to {@code bytes}, without swap ({@code docker run --memory B
     * --memory-swap B}). The backend sees the limit: it refuses a model load that would leave less than its
     * floor ({@code CEREBRUM_MIN_FREE_RAM_MB}) under it, instead of being OOM-killed.
     */
    public CerebrumBackendContainer withMemory(long bytes) {
        if (bytes < MIN_MEMORY_BYTES) {
            throw new IllegalArgumentException("a memory limit must be at least " + (MIN_MEMORY_BYTES >> 20)
                    + " MiB (Docker's minimum), was " + bytes + " bytes");
        }
        this.memoryBytes = bytes;
        return self();
    }

    /**
     * Limits the container to {@code cpus} cores ({@code docker run --cpus}), a CPU quota. The backend's CPU
     * figures are then relative to the quota.
     */
    public CerebrumBackendContainer withCpus(double cpus) {
        if (!(cpus >= 0.01 && cpus <= 1024)) {
            throw new IllegalArgumentException("cpus must be from 0.01 to 1024, was " + cpus);
        }
        this.cpus = cpus;
        return self();
    }

    /** The memory limit set with {@link #withMemory}, or 0 for none. */
    public long getMemoryLimitBytes() {
        return memoryBytes;
    }

    /** The CPU limit set with {@link #withCpus}, or 0 for none. */
    public double getCpus() {
        return cpus;
    }

    /** Uses this API key instead of a random one. */
    public CerebrumBackendContainer withApiKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank() || key.contains(",") || !key.strip().equals(key)) {
            throw new IllegalArgumentException("an API key must be non-blank, without commas or surrounding spaces");
        }
        this.apiKey = key;
        return self();
    }

    /** Registers a GGUF file of the host under {@code name}, with the backend's default context and slots. */
    public CerebrumBackendContainer withModel(String name, Path hostGguf) {
        return withModel(name, hostGguf, 0, 0);
    }

    /**
     * Registers a GGUF file of the host under {@code name}, with a total context of {@code contextSize}
     * tokens shared by {@code parallel} slots (0 for the backend's default).
     */
    public CerebrumBackendContainer withModel(String name, Path hostGguf, int contextSize, int parallel) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hostGguf, "hostGguf");
        if (!MODEL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid model name '" + name
                    + "': letters, digits, '.', '_', ':', '-', at most 64, starting with a letter or digit");
        }
        if (!Files.isRegularFile(hostGguf)) {
            throw new IllegalArgumentException("no model file at " + hostGguf);
        }
        if (contextSize < 0 || parallel < 0) {
            throw new IllegalArgumentException("context size and slots must not be negative");
        }
        models.put(name, new ModelMount(hostGguf.toAbsolutePath(), contextSize, parallel));
        return self();
    }

    /** The API key the backend accepts. */
    public String getApiKey() {
        return apiKey;
    }

    /** The backend's base URI as reachable from the test, e.g. {@code http://127.0.0.1:32768}. */
    public URI getEndpoint() {
        return URI.create("http://" + getHost() + ":" + getMappedPort(PORT));
    }

    /** A new client for this backend with its API key; close it when done. */
    public CerebrumClient client() {
        return CerebrumClient.builder().endpoint(getEndpoint()).apiKey(apiKey).build();
    }

    /**
     * Restarts the running container in place ({@code docker restart}): the server stops gracefully and
     * starts again with the same file system and registry. Returns once {@code /health} answers again.
     * The published port usually changes: read {@link #getEndpoint()} again.
     */
    public void restart() {
        if (!isRunning()) {
            throw new IllegalStateException("the container is not running");
        }
        dockerClient.restartContainerCmd(getContainerId()).withTimeout(30).exec();
        infoAfterRestart = dockerClient.inspectContainerCmd(getContainerId()).exec();
        getWaitStrategy().waitUntilReady(this);
    }

    /** The container's state, re-read after {@link #restart()} (which re-publishes the port). */
    @Override
    public InspectContainerResponse getContainerInfo() {
        InspectContainerResponse refreshed = infoAfterRestart;
        return refreshed != null ? refreshed : super.getContainerInfo();
    }

    @Override
    protected void containerIsStarting(InspectContainerResponse containerInfo) {
        infoAfterRestart = null;
        super.containerIsStarting(containerInfo);
    }

    @Override
    protected void configure() {
        super.configure();
        withEnv("CEREBRUM_API_KEY", apiKey);
        // configure() runs on every start; the mounts must be added once.
        if (!models.isEmpty() && !mountsConfigured) {
            mountsConfigured = true;
            models.forEach((name, mount) -> withFileSystemBind(mount.hostFile().toString(), containerFile(name),
                    BindMode.READ_ONLY));
            withCopyToContainer(Transferable.of(registryYaml()), MODELS_DIR + "/models.yaml");
        }
    }

    /** The registry the container reads: one entry per {@link #withModel} call. */
    String registryYaml() {
        StringBuilder b = new StringBuilder("# written by CerebrumBackendContainer\nmodels:\n");
        models.forEach((name, mount) -> {
            b.append("  \"").append(name).append("\":\n");
            b.append("    path: \"").append(containerFile(name)).append("\"\n");
            if (mount.contextSize() > 0) {
                b.append("    ctx_size: ").append(mount.contextSize()).append('\n');
            }
            if (mount.parallel() > 0) {
                b.append("    parallel: ").append(mount.parallel()).append('\n');
            }
        });
        return b.toString();
    }

    private static String containerFile(String name) {
        return MODELS_DIR + "/" + name + ".gguf";
    }

    private static String randomKey() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private record ModelMount(Path hostFile, int contextSize, int parallel) {
    }
}
