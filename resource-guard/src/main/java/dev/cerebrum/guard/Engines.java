package dev.cerebrum.guard;

import dev.cerebrum.engine.EngineException;
import dev.cerebrum.engine.EngineUnavailableException;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.spi.InferenceEngineProvider;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The inference engines a {@link ModelManager} loads models with: each by name, one of them the default for
 * entries that name none. An engine that cannot run here (its native libraries are missing) is held as
 * unavailable with the reason; when that is the default, another engine present serves the entries that name
 * none, and the entries whose model only the missing engine can load say so. Closing closes every engine.
 */
public final class Engines implements AutoCloseable {
    private final Map<String, InferenceEngine> engines;
    private final Map<String, String> unavailable;
    private final Map<String, String> remedies;
    private final Map<String, InferenceEngineProvider> providers;
    private final String configuredDefault;
    private final String defaultName;
    private final List<String> notes;

    private Engines(Map<String, InferenceEngine> engines, Map<String, String> unavailable, Map<String, String> remedies,
                    Map<String, InferenceEngineProvider> providers, String configuredDefault, String defaultName,
                    List<String> notes) {
        this.engines = Map.copyOf(engines);
        this.unavailable = Map.copyOf(unavailable);
        this.remedies = Map.copyOf(remedies);
        this.providers = Map.copyOf(providers);
        this.configuredDefault = configuredDefault;
        this.defaultName = defaultName;
        this.notes = List.copyOf(notes);
    }

    /** One engine, the default. */
    public static Engines of(InferenceEngine engine) {
        Objects.requireNonNull(engine, "engine");
        return new Engines(Map.of(engine.name(), engine), Map.of(), Map.of(), Map.of(), engine.name(), engine.name(),
                List.of());
    }

    /**
     * Creates the default engine and the engines the entries name, each once. An engine the creator reports
     * unavailable ({@link EngineUnavailableException}) is held with its reason; when it is the default, the first
     * other engine of {@code present} (by name) that can be created becomes the default instead, and
     * {@link #notes()} say so with the remedy.
     *
     * @param defaultName the engine of entries that name none
     * @param entries     the registry's entries
     * @param providers   the engines present
     * @param creator     creates the engine of a provider (with the options the caller gives it)
     * @throws EngineException when no engine at all can be created for the default
     */
    public static Engines create(String defaultName, Collection<ModelEntry> entries,
                                 Collection<InferenceEngineProvider> providers,
                                 Function<InferenceEngineProvider, InferenceEngine> creator) {
        Map<String, InferenceEngineProvider> present = new LinkedHashMap<>();
        providers.forEach(p -> present.putIfAbsent(p.name(), p));
        Set<String> wanted = new LinkedHashSet<>();
        wanted.add(defaultName);
        for (ModelEntry entry : entries) {
            entry.engine().ifPresent(wanted::add);
        }
        Map<String, InferenceEngine> created = new LinkedHashMap<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        Map<String, String> remedies = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        try {
            for (String name : wanted) {
                create(name, present, creator, created, unavailable, remedies, notes);
            }
            String effective = defaultName;
            if (!created.containsKey(defaultName)) {
                for (String other : new TreeSet<>(present.keySet())) {
                    if (!other.equals(defaultName)
                            && create(other, present, creator, created, unavailable, remedies, notes)) {
                        effective = other;
                        notes.add("the default engine '" + defaultName + "' is not available, so models that name no"
                                + " engine run on '" + other + "'");
                        break;
                    }
                }
                if (effective.equals(defaultName)) {
                    throw new EngineException("no inference engine can run: '" + defaultName + "' "
                            + unavailable.get(defaultName) + "; present: " + present.keySet());
                }
            }
            return new Engines(created, unavailable, remedies, present, defaultName, effective, notes);
        } catch (RuntimeException e) {
            created.values().forEach(InferenceEngine::close);
            throw e;
        }
    }

    private static boolean create(String name, Map<String, InferenceEngineProvider> present,
                                  Function<InferenceEngineProvider, InferenceEngine> creator,
                                  Map<String, InferenceEngine> created, Map<String, String> unavailable,
                                  Map<String, String> remedies, List<String> notes) {
        if (created.containsKey(name)) {
            return true;
        }
        if (unavailable.containsKey(name)) {
            return false;
        }
        if (!present.containsKey(name)) {
            unavailable.put(name, "is not an engine of this server (present: " + String.join(", ", present.keySet())
                    + ")");
            return false;
        }
        try {
            created.put(name, creator.apply(present.get(name)));
            return true;
        } catch (EngineUnavailableException e) {
            unavailable.put(name, "is not available on this server: " + e.getMessage());
            remedies.put(name, e.remedy());
            notes.add("the engine '" + name + "' is not available: " + e.getMessage() + ". To get it: " + e.remedy());
            return false;
        }
    }

    /** The engine of entries that name none: the configured default, or the one that stands in for it. */
    public String defaultName() {
        return defaultName;
    }

    /** The default engine as configured, available or not. */
    public String configuredDefault() {
        return configuredDefault;
    }

    /** The engine of that name, if it is available. */
    public Optional<InferenceEngine> get(String name) {
        return Optional.ofNullable(engines.get(name));
    }

    /** The names of the available engines, sorted. */
    public Set<String> available() {
        return new TreeSet<>(engines.keySet());
    }

    /** Why the named engine is unavailable ("is not available on this server: ..."), if it is. */
    public Optional<String> unavailableReason(String name) {
        return Optional.ofNullable(unavailable.get(name));
    }

    /** What the operator can do to make the named engine available, if it is unavailable and says. */
    public Optional<String> remedy(String name) {
        return Optional.ofNullable(remedies.get(name));
    }

    /** What the operator should know about the engines: the unavailable ones with their remedy, the fallback. */
    public List<String> notes() {
        return notes;
    }

    /** The name of the engine {@code entry} runs on: the one it names, or the default. */
    public String nameFor(ModelEntry entry) {
        return entry.engine().orElse(defaultName);
    }

    /**
     * The engine {@code entry} runs on.
     *
     * @throws ModelUnavailableException when that engine is not available, saying why
     */
    InferenceEngine engineFor(ModelEntry entry) {
        String name = nameFor(entry);
        InferenceEngine engine = engines.get(name);
        if (engine == null) {
            throw new ModelUnavailableException(entry.name(), unavailableMessage(name));
        }
        return engine;
    }

    /**
     * The entry as it can be served: an entry whose named engine is not available becomes
     * {@link ModelEntry.Problem#ENGINE_UNAVAILABLE} with the reason.
     */
    ModelEntry check(ModelEntry entry) {
        String name = nameFor(entry);
        if (engines.containsKey(name)) {
            return entry;
        }
        String reason = unavailableMessage(name);
        return switch (entry) {
            case ModelEntry.Usable u -> u.engineUnavailable(reason);
            case ModelEntry.Broken b -> b.problem() == ModelEntry.Problem.INVALID_ENTRY ? b
                    : new ModelEntry.Broken(b.name(), ModelEntry.Problem.ENGINE_UNAVAILABLE, reason,
                    Optional.empty(), b.idleUnloadMinutes(), b.pinned(), b.engine());
        };
    }

    private String unavailableMessage(String name) {
        return "its engine '" + name + "' " + unavailable.getOrDefault(name, "is not available on this server");
    }

    /**
     * Who can load {@code architecture}, which {@code refusing} cannot: an available engine (the entry may name
     * it), else an engine present but unavailable (with why), else none.
     */
    String whoCanLoad(String architecture, String refusing) {
        List<String> can = new ArrayList<>();
        for (InferenceEngine e : engines.values()) {
            if (!e.name().equals(refusing) && e.supportsArchitecture(architecture)) {
                can.add(e.name());
            }
        }
        if (!can.isEmpty()) {
            can.sort(null);
            return "the " + String.join(" or ", can) + " engine can (engine: " + can.getFirst()
                    + " in the model's registry entry)";
        }
        return unavailableSupporting(architecture)
                .map(name -> "the " + name + " engine can, but it " + unavailable.get(name))
                .orElse("no engine of this server can");
    }

    /** The first unavailable engine (by name) that could load {@code architecture}, if any. */
    Optional<String> unavailableSupporting(String architecture) {
        return new TreeSet<>(unavailable.keySet()).stream()
                .filter(name -> providers.containsKey(name) && providers.get(name).supportsArchitecture(architecture))
                .findFirst();
    }

    @Override
    public void close() {
        for (InferenceEngine engine : engines.values()) {
            try {
                engine.close();
            } catch (RuntimeException e) {
                GuardLog.warning("-", "closing the engine '" + engine.name() + "' failed", e);
            }
        }
    }
}
