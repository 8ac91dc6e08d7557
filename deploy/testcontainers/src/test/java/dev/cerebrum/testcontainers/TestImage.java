package dev.cerebrum.testcontainers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The image under test: built from this repository's Dockerfile by deploy/docker/build-image.sh, once per
 * test class, and removed afterwards. {@code CEREBRUM_TEST_IMAGE} names an existing image to use instead
 * (neither built nor removed). Without Docker the tests are skipped with a message, except under CI
 * (the {@code CI} variable set), where a skipped container suite would pass for nothing: there it fails.
 */
final class TestImage {
    static final Path ROOT = Path.of(System.getProperty("cerebrum.repo.root", "../..")).toAbsolutePath().normalize();
    static final List<String> BASE_IMAGES = List.of("cerebrum-base:build", "cerebrum-base:jre");

    private final String name;
    private final boolean built;

    private TestImage(String name, boolean built) {
        this.name = name;
        this.built = built;
    }

    String name() {
        return name;
    }

    /**
     * Disables a test class, with the reason in the build's output, when Docker or the base images are
     * missing; under CI it never disables, so that {@link #buildOrSkip()} fails the class instead.
     */
    static final class RequiresDocker implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String missing = missing();
            if (missing == null || underCi()) {
                return ConditionEvaluationResult.enabled(missing == null ? "Docker is available" : "CI: must run");
            }
            System.out.println("[WARNING] SKIPPED container tests: " + missing);
            return ConditionEvaluationResult.disabled("container tests skipped: " + missing);
        }
    }

    /** Fails (under CI) unless Docker and the base images are there; then builds the image. */
    static TestImage buildOrSkip() {
        String missing = missing();
        if (missing != null) {
            unavailable(missing);
        }
        String given = System.getenv("CEREBRUM_TEST_IMAGE");
        if (given != null && !given.isBlank()) {
            return new TestImage(given, false);
        }
        String id = "it-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(0, 10);
        String tag = "cerebrum-backend:" + id;
        Path log = Path.of("target", "docker-build-" + id + ".log").toAbsolutePath();
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(ROOT.resolve("deploy/docker/build-image.sh").toString(), "-t", tag,
                    "--build-id", id, "--clean-build-stage")
                    .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("building the image took longer than 15 minutes; see " + log);
            }
            if (p.exitValue() != 0) {
                fail("building the image failed (exit " + p.exitValue() + "):\n" + tail(log));
            }
        } catch (IOException e) {
            fail("cannot run deploy/docker/build-image.sh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while building the image", e);
        }
        return new TestImage(tag, true);
    }

    /** Removes the image if this run built it. */
    void remove() {
        if (built) {
            try {
                DockerClientFactory.instance().client().removeImageCmd(name).withForce(true).exec();
            } catch (NotFoundException e) {
                // already gone
            }
        }
    }

    /** What keeps the container tests from running, or null when nothing does. */
    static String missing() {
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            available = false;
        }
        if (!available) {
            return "no Docker engine is reachable (start dockerd; where no registry is reachable Testcontainers also needs "
                    + "TESTCONTAINERS_RYUK_DISABLED=true, TESTCONTAINERS_CHECKS_DISABLE=true and TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1)";
        }
        String given = System.getenv("CEREBRUM_TEST_IMAGE");
        if (given != null && !given.isBlank()) {
            return null;
        }
        DockerClient docker = DockerClientFactory.instance().client();
        for (String base : BASE_IMAGES) {
            try {
                docker.inspectImageCmd(base).exec();
            } catch (NotFoundException e) {
                return "base image " + base + " is missing: build it with deploy/docker/build-base-images.sh";
            }
        }
        return null;
    }

    static boolean underCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }

    private static void unavailable(String why) {
        if (underCi()) {
            fail("container tests cannot run under CI: " + why);
        }
        assumeTrue(false, "container tests skipped: " + why);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }
}
