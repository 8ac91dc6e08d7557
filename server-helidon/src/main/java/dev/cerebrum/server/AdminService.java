package dev.cerebrum.server;

import dev.cerebrum.guard.CleanupReport;
import dev.cerebrum.guard.HostSample;
import dev.cerebrum.guard.LoadReport;
import dev.cerebrum.guard.ModelManager;
import dev.cerebrum.guard.ModelStatus;
import dev.cerebrum.guard.Refusal;
import dev.cerebrum.guard.UnloadReport;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Model listing, statistics and the admin endpoints (load, unload, cleanup). The admin endpoints are never
 * refused by the CPU rule: they are how an operator frees the machine.
 */
final class AdminService implements HttpService {
    /** The {@code owned_by} of every model in the OpenAI-shaped list. */
    static final String OWNER = "cerebrum";

    private final ModelManager manager;
    private final DoubleSupplier uptimeSeconds;
    private final long startedEpochSecond;

    AdminService(ModelManager manager, DoubleSupplier uptimeSeconds, long startedEpochSecond) {
        this.manager = manager;
        this.uptimeSeconds = uptimeSeconds;
        this.startedEpochSecond = startedEpochSecond;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/models", this::models)
                .get("/v1/stats", this::stats)
                .post("/v1/load/{model}", this::load)
                .post("/v1/unload/{model}", this::unload)
                .post("/v1/cleanup", this::cleanup);
    }

    private void models(ServerRequest req, ServerResponse res) {
        List<ModelStatus> models = manager.models();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("available_models", models.stream().filter(ModelStatus::available).map(ModelStatus::name).toList());
        body.put("cached_models", cached(models));
        body.put("inference_counts", inferenceCounts(models));
        body.put("models", models.stream().map(AdminService::detail).toList());
        // OpenAI's model list in the same body: clients of either API read their own keys.
        body.put("object", "list");
        body.put("data", models.stream().filter(ModelStatus::available).map(this::openAiModel).toList());
        Responses.json(res, 200, body);
    }

    /** A model as OpenAI lists it; {@code created} is when this server started. */
    private Map<String, Object> openAiModel(ModelStatus m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", m.name());
        d.put("object", "model");
        d.put("created", startedEpochSecond);
        d.put("owned_by", OWNER);
        return d;
    }

    private static Map<String, Object> detail(ModelStatus m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", m.name());
        d.put("state", m.state().wireName());
        d.put("available", m.available());
        d.put("reason", m.reason() == null ? null : Errors.safe(m.reason()));
        d.put("context_size", m.contextSize());
        d.put("parallel", m.parallel());
        d.put("threads", m.threads());
        d.put("slots_busy", m.slotsBusy());
        d.put("in_flight", m.inFlight());
        d.put("queued", m.queued());
        d.put("prefilling", m.prefilling());
        d.put("decoding", m.decoding());
        d.put("memory_estimate_bytes", m.estimateBytes());
        d.put("rss_bytes", m.rssBytes());
        d.put("last_used", Responses.iso(m.lastUsed()));
        d.put("loaded_at", Responses.iso(m.loadedAt()));
        d.put("load_ms", m.loadDuration() == null ? null : Json.round(m.loadDuration().toNanos() / 1e6, 1));
        d.put("pinned", m.pinned());
        d.put("idle_unload_minutes", m.idleUnloadMinutes());
        d.put("inference_count", m.inferenceCount());
        return d;
    }

    private void stats(ServerRequest req, ServerResponse res) {
        HostSample host = manager.host();
        List<ModelStatus> models = manager.models();

        Map<String, Object> system = new LinkedHashMap<>();
        system.put("cpu_usage_percent", Json.round(host.cpuPercent(), 1));
        system.put("ram_available_gb", Responses.gib(host.availableRamBytes()));
        system.put("ram_used_gb", Responses.gib(host.usedRamBytes()));
        system.put("uptime_seconds", uptimeSeconds.getAsDouble());
        HostReport.addCpuSplitAndLimits(system, host, manager.settings().cpuWindow());

        List<String> cached = cached(models);
        Map<String, Object> lastUsed = new LinkedHashMap<>();
        models.stream().filter(m -> m.lastUsed() != null)
                .forEach(m -> lastUsed.put(m.name(), Responses.iso(m.lastUsed())));
        Map<String, Object> modelStats = new LinkedHashMap<>();
        modelStats.put("cached", cached);
        modelStats.put("count", cached.size());
        modelStats.put("inference_counts", inferenceCounts(models));
        modelStats.put("last_used", lastUsed);

        Map<String, Object> queues = new LinkedHashMap<>();
        long prompt = 0;
        long completion = 0;
        long cachedPrompt = 0;
        for (ModelStatus m : models) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("queued", m.queued());
            q.put("in_flight", m.inFlight());
            q.put("slots_busy", m.slotsBusy());
            q.put("slots_total", m.parallel());
            q.put("prefilling", m.prefilling());
            q.put("decoding", m.decoding());
            q.put("cached_prompt_tokens", m.cachedTokens());
            queues.put(m.name(), q);
            prompt += m.promptTokens();
            completion += m.completionTokens();
            cachedPrompt += m.cachedTokens();
        }
        Map<String, Object> refusals = new LinkedHashMap<>();
        Map<Refusal, Long> counted = manager.refusals();
        for (Refusal reason : Refusal.values()) {
            refusals.put(reason.wireName(), counted.getOrDefault(reason, 0L));
        }

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("system", system);
        body.put("models", modelStats);
        body.put("queues", queues);
        body.put("refusals", refusals);
        Map<String, Object> tokens = new LinkedHashMap<>();
        tokens.put("prompt", prompt);
        tokens.put("completion", completion);
        tokens.put("cached_prompt", cachedPrompt);
        body.put("tokens", tokens);
        Responses.json(res, 200, body);
    }

    private void load(ServerRequest req, ServerResponse res) {
        String model = modelParam(req);
        LoadReport report = manager.load(model);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "loaded");
        body.put("model", report.model());
        body.put("already_loaded", report.alreadyLoaded());
        body.put("load_time_seconds", report.loadTime() == null ? 0.0
                : Json.round(report.loadTime().toNanos() / 1e9, 3));
        body.put("memory_estimate_bytes", report.estimateBytes());
        body.put("rss_bytes", report.rssBytes());
        Responses.json(res, 200, body);
    }

    private void unload(ServerRequest req, ServerResponse res) {
        String model = modelParam(req);
        boolean force = booleanQuery(req, "force");
        UnloadReport report = manager.unload(model, force);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "unloaded");
        body.put("model", report.model());
        body.put("cancelled_generations", report.cancelledGenerations());
        Responses.json(res, 200, body);
    }

    private void cleanup(ServerRequest req, ServerResponse res) {
        Duration idleAtLeast = idleMinutes(req).map(Duration::ofMinutes).orElse(null);
        CleanupReport report = manager.cleanup(idleAtLeast);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "cleaned");
        body.put("models_removed", report.removed());
        body.put("models_remaining", report.remaining());
        Responses.json(res, 200, body);
    }

    private static String modelParam(ServerRequest req) {
        String model = req.path().pathParameters().first("model").orElse("");
        Exchange.of(req).model(model);
        if (model.isBlank()) {
            throw new ApiException(ApiError.invalid("model", "a model name is required"));
        }
        return model;
    }

    private static boolean booleanQuery(ServerRequest req, String name) {
        Optional<String> v = req.query().first(name).asOptional();
        if (v.isEmpty() || v.get().isEmpty()) {
            return false;
        }
        return switch (v.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ApiException(ApiError.invalid(name, name + " must be true or false"));
        };
    }

    private static Optional<Long> idleMinutes(ServerRequest req) {
        Optional<String> v = req.query().first("idle_minutes").asOptional();
        if (v.isEmpty() || v.get().isEmpty()) {
            return Optional.empty();
        }
        try {
            long minutes = Long.parseLong(v.get().strip());
            if (minutes >= 0 && minutes <= 1_000_000) {
                return Optional.of(minutes);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ApiException(ApiError.invalid("idle_minutes", "idle_minutes must be a whole number of minutes, 0 or more")
                .withLimit(1_000_000));
    }

    private static List<String> cached(List<ModelStatus> models) {
        return models.stream().filter(ModelStatus::loaded).map(ModelStatus::name).toList();
    }

    private static Map<String, Object> inferenceCounts(List<ModelStatus> models) {
        Map<String, Object> counts = new LinkedHashMap<>();
        models.forEach(m -> counts.put(m.name(), m.inferenceCount()));
        return counts;
    }
}
