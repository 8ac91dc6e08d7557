package dev.cerebrum.guard;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;

import java.util.Objects;
import java.util.Optional;

/**
 * Looks at a model's file before it is loaded: first the file itself (present, a regular file, readable),
 * then its engine's reading of it and its RAM estimate, and whether that engine can load the file's architecture.
 * A file found broken makes the entry
 * {@link ModelEntry.Broken}; the entry is inspected again when the file changes (it appears, or its size,
 * modification time or inode differ), so a restored file is served without a restart.
 */
final class ModelInspector {
    private final Engines engines;

    ModelInspector(Engines engines) {
        this.engines = Objects.requireNonNull(engines, "engines");
    }

    /**
     * What a load needs to know.
     *
     * @param spec          what to load
     * @param estimateBytes the RAM estimate, -1 when unknown
     */
    record Inspected(ModelSpec spec, long estimateBytes) {
    }

    /** Inspects every entry that has a file, so that broken files are known before anyone asks for them. */
    void inspectAll(Iterable<Resident> residents) {
        for (Resident r : residents) {
            if (spec(r.entry).isPresent()) {
                try {
                    inspect(r);
                } catch (ModelUnavailableException e) {
                    // Recorded on the entry, and logged, by inspect.
                }
            }
        }
    }

    /**
     * True when the entry is broken only by its file and the file changed since it was found broken, so the
     * next request should inspect it again. One {@code stat}.
     */
    boolean fileChanged(Resident r) {
        Optional<ModelSpec> spec = r.entry instanceof ModelEntry.Broken b ? b.spec() : Optional.empty();
        if (spec.isEmpty()) {
            return false;
        }
        ModelFiles.Stamp now = ModelFiles.stamp(spec.get().path());
        r.lock.lock();
        try {
            return !now.equals(r.brokenStamp);
        } finally {
            r.lock.unlock();
        }
    }

    /**
     * Inspects the model's file and records its estimate; an entry that was broken by its file and is fine
     * now becomes usable again.
     *
     * @throws ModelUnavailableException when the entry is broken, or its file is
     */
    Inspected inspect(Resident r) {
        ModelEntry entry = r.entry;
        ModelSpec spec = spec(entry).orElseThrow(() ->
                new ModelUnavailableException(r.name, ((ModelEntry.Broken) entry).reason()));
        // Stamped before the checks: a change after this point is seen by the next request.
        ModelFiles.Stamp stamp = ModelFiles.stamp(spec.path());
        Optional<ModelFiles.Fault> fault = ModelFiles.check(spec.path());
        if (fault.isPresent()) {
            throw broken(r, spec, fault.get().problem(), fault.get().reason(), stamp);
        }
        InferenceEngine engine = engines.engineFor(entry);
        ModelInfo info;
        try {
            info = engine.inspect(spec);
        } catch (InvalidModelException e) {
            String file = ModelRegistry.fileName(spec.path());
            String detail = Safe.message(e.getMessage());
            if (detail.startsWith(file + ": ")) {
                detail = detail.substring(file.length() + 2);
            }
            throw broken(r, spec, ModelEntry.Problem.NOT_A_MODEL,
                    "model file '" + file + "' is not a usable GGUF model: " + detail, stamp);
        } catch (RuntimeException e) {
            // Not a verdict on the file: the load itself will say what is wrong.
            GuardLog.warning(r.name, "the model file could not be inspected; its load will tell", e);
            info = null;
        }
        if (info != null && !engine.supportsArchitecture(info.architecture())) {
            String needed = engines.unavailableSupporting(info.architecture()).orElse(null);
            r.lock.lock();
            try {
                r.neededEngine = needed;
            } finally {
                r.lock.unlock();
            }
            throw broken(r, spec, ModelEntry.Problem.UNSUPPORTED_ARCHITECTURE, "model file '"
                    + ModelRegistry.fileName(spec.path()) + "' has the architecture '" + info.architecture()
                    + "', which the " + engine.name() + " engine (" + engine.version() + ") cannot load; "
                    + engines.whoCanLoad(info.architecture(), engine.name()), stamp);
        }
        long estimate = info == null ? -1 : info.estimate().totalBytes();
        r.lock.lock();
        try {
            if (estimate >= 0) {
                r.estimateBytes = estimate;
            }
            if (r.entry instanceof ModelEntry.Broken b && b.repaired().isPresent()) {
                r.entry = b.repaired().get();
                r.brokenStamp = null;
                GuardLog.info(r.name, "its model file is usable again");
            }
            return new Inspected(spec, r.estimateBytes);
        } finally {
            r.lock.unlock();
        }
    }

    /** Marks the entry broken by its file, logging the change once, and returns the exception to throw. */
    private static ModelUnavailableException broken(Resident r, ModelSpec spec, ModelEntry.Problem problem,
                                                    String reason, ModelFiles.Stamp stamp) {
        boolean changed;
        r.lock.lock();
        try {
            ModelEntry before = r.entry;
            changed = !(before instanceof ModelEntry.Broken b && b.problem() == problem && b.reason().equals(reason));
            r.entry = new ModelEntry.Broken(r.name, problem, reason, Optional.of(spec), before.idleUnloadMinutes(),
                    before.pinned(), before.engine());
            r.brokenStamp = stamp;
        } finally {
            r.lock.unlock();
        }
        if (changed) {
            GuardLog.warning(r.name, "unavailable: " + reason);
        }
        return new ModelUnavailableException(r.name, reason);
    }

    private static Optional<ModelSpec> spec(ModelEntry entry) {
        return switch (entry) {
            case ModelEntry.Usable u -> Optional.of(u.spec());
            case ModelEntry.Broken b -> b.spec();
        };
    }
}
