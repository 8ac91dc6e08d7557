package dev.cerebrum.server;

import dev.cerebrum.guard.HostSample;
import dev.cerebrum.guard.ModelManager;
import dev.cerebrum.guard.ModelStatus;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The public health endpoints. They read only the manager's background samples and counters, so they
 * answer at once even while every slot is busy or a model is loading.
 */
final class HealthService implements HttpService {
    private final ModelManager manager;
    private final long startNanos;
    private final BooleanSupplier accepting;

    HealthService(ModelManager manager, long startNanos, BooleanSupplier accepting) {
        this.manager = manager;
        this.startNanos = startNanos;
        this.accepting = accepting;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health)
                .get("/health/live", (req, res) -> Responses.json(res, 200, Map.of("status", "UP")))
                .get("/health/ready", this::ready);
    }

    private void health(ServerRequest req, ServerResponse res) {
        HostSample host = manager.host();
        Optional<String> refusal = manager.refusalReason();
        List<ModelStatus> models = manager.models();
        List<String> loaded = models.stream().filter(ModelStatus::loaded).map(ModelStatus::name).toList();
        // States only: the reasons (which name files) are for key holders, in /v1/models.
        Map<String, Object> states = new LinkedHashMap<>();
        models.forEach(m -> states.put(m.name(), m.state().wireName()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", refusal.isPresent() ? "overloaded" : "healthy");
        body.put("available", refusal.isEmpty());
        body.put("cpu_usage_percent", Json.round(host.cpuPercent(), 1));
        body.put("ram_available_gb", Responses.gib(host.availableRamBytes()));
        body.put("ram_used_gb", Responses.gib(host.usedRamBytes()));
        body.put("models_in_cache", loaded);
        body.put("uptime_seconds", uptimeSeconds());
        body.put("model_states", states);
        HostReport.addCpuSplitAndLimits(body, host, manager.settings().cpuWindow());
        refusal.ifPresent(r -> body.put("reason", Errors.safe(r)));
        Responses.json(res, 200, body);
    }

    /** Ready means able to take work: accepting requests, not refusing new work, and a usable model. */
    private void ready(ServerRequest req, ServerResponse res) {
        boolean ready = accepting.getAsBoolean()
                && manager.refusalReason().isEmpty()
                && manager.models().stream().anyMatch(ModelStatus::available);
        Responses.json(res, ready ? 200 : 503, Map.of("status", ready ? "UP" : "DOWN"));
    }

    double uptimeSeconds() {
        return Json.round((System.nanoTime() - startNanos) / 1e9, 1);
    }
}
