package dev.cerebrum.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.cerebrum.gguf.GgmlType;
import dev.cerebrum.gguf.ModelShape;
import dev.cerebrum.gguf.RandomModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole benchmark, for real (child JVMs, the engine's worker, the server over loopback HTTP), on a tiny
 * random model instead of the 1.2 GB one: every phase must run and the report must hold what was measured.
 */
class BenchSmokeIT {

    /** The ffm engine's paths need the libraries the build fetched; without npm the test skips (under CI it fails). */
    private static void requireTheFfmLibraries() {
        Path natives = dev.cerebrum.engine.ffm.FfmEngineProvider.defaultNativesFolder();
        boolean present;
        try (var files = Files.list(natives)) {
            present = files.anyMatch(f -> f.getFileName().toString().startsWith("libllama"));
        } catch (java.io.IOException e) {
            present = false;
        }
        String why = "the ffm engine's llama.cpp libraries are not in " + natives;
        if (!present && System.getenv("CI") != null) {
            org.junit.jupiter.api.Assertions.fail(why);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(present, why);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void quickRun_onATinyModel_measuresEveryPathAndWritesTheReportJsonAndChart(@TempDir Path dir) throws Exception {
        requireTheFfmLibraries();
        // given a small random llama model whose vocabulary spells letters as the real one does
        Path model = dir.resolve("tiny.gguf");
        RandomModel.write(model, new ModelShape(2, 128, 256, 4, 4, 1000, 1024), GgmlType.Q8_0, 7);
        Options options = Options.parse(List.of("--quick", "--threads", "2", "--tokens", "8", "--prompt-tokens", "64",
                "--concurrency", "1,4", "--model", model.toString(), "--out", dir.resolve("out").toString()));

        // when
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int status = new Bench(options, new PrintStream(console, true, StandardCharsets.UTF_8)).run();

        // then every phase ran
        String printed = console.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed);
        Path out = dir.resolve("out");
        assertTrue(Files.size(out.resolve("concurrency.png")) > 1000);
        String markdown = Files.readString(out.resolve("report.md"));
        assertTrue(printed.contains(markdown.strip()), "the report is printed");
        Map<String, Object> json = JSON.std.mapFrom(Files.readString(out.resolve("report.json")));

        // the five paths, of both engines, ran the same 64-token prompt past end of sequence: all 8 tokens
        Map<?, ?> single = (Map<?, ?>) ((List<?>) json.get("single_stream")).getFirst();
        for (String path : List.of("raw", "spi", "http", "ffm_raw", "ffm_http")) {
            Map<?, ?> p = (Map<?, ?>) single.get(path);
            assertNull(p.get("error"), path);
            List<?> runs = (List<?>) p.get("runs");
            assertEquals(1, runs.size(), path);
            Map<?, ?> run = (Map<?, ?>) runs.getFirst();
            assertEquals(64, ((Number) run.get("prompt_tokens")).intValue(), path);
            assertEquals(8, ((Number) run.get("completion_tokens")).intValue(), path);
            assertTrue(((Number) run.get("ttft_ms")).doubleValue() > 0, path);
        }
        Map<?, ?> trap = (Map<?, ?>) json.get("warmup_trap_check");
        assertNull(trap.get("error"));

        // both concurrency levels ran through HTTP and through the reference, no stream failed
        List<?> levels = (List<?>) json.get("concurrency");
        assertEquals(2, levels.size());
        for (Object o : levels) {
            Map<?, ?> level = (Map<?, ?>) o;
            assertEquals(0, ((Number) level.get("failed_streams")).intValue());
            assertEquals(1, ((Number) ((Map<?, ?>) level.get("aggregate_tokens_per_second")).get("count")).intValue());
            assertEquals(1, ((Number) ((Map<?, ?>) level.get("reference_aggregate_tokens_per_second")).get("count")).intValue());
        }

        // memory: an idle server, model holders next to the file, and the worker gone after the unload
        Map<?, ?> memory = (Map<?, ?>) json.get("memory");
        assertTrue(((Number) memory.get("server_idle_rss_bytes")).longValue() > 10_000_000L);
        assertEquals(Boolean.TRUE, memory.get("worker_exited_after_unload"));
        assertEquals(7, ((List<?>) memory.get("model_holders")).size());

        Map<?, ?> cold = (Map<?, ?>) json.get("cold_start");
        assertNull(cold.get("error"));
        assertEquals(1, ((Number) ((Map<?, ?>) cold.get("first_token_ms")).get("count")).intValue());
        assertTrue(((List<?>) json.get("targets")).size() >= 5);
    }
}
