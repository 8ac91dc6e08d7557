package dev.cerebrum.guard;

import dev.cerebrum.engine.ModelSpec;

import java.util.Objects;
import java.util.Optional;

/** One registered model: {@link Usable}, or {@link Broken} with a reason. */
public sealed interface ModelEntry permits ModelEntry.Usable, ModelEntry.Broken {

    /** The name requests use. */
    String name();

    /** Idle minutes before the model is unloaded, 0 never. */
    int idleUnloadMinutes();

    /** Never evicted to make room. */
    boolean pinned();

    /** The engine the entry names ({@code engine:}), or empty for the server's default engine. */
    Optional<String> engine();

    /** True for a {@link Usable} entry. */
    default boolean available() {
        return this instanceof Usable;
    }

    /**
     * An entry that can be loaded.
     *
     * @param name              the name requests use
     * @param spec              what to load
     * @param idleUnloadMinutes idle minutes before it is unloaded, 0 never
     * @param pinned            never evicted to make room
     * @param engine            the engine it names, or empty for the default engine
     */
    record Usable(String name, ModelSpec spec, int idleUnloadMinutes, boolean pinned, Optional<String> engine)
            implements ModelEntry {
        public Usable {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(engine, "engine");
            requireIdleMinutes(idleUnloadMinutes);
        }

        /** An entry that runs on the default engine. */
        public Usable(String name, ModelSpec spec, int idleUnloadMinutes, boolean pinned) {
            this(name, spec, idleUnloadMinutes, pinned, Optional.empty());
        }

        /** This entry, broken by a problem with its file. */
        public Broken broken(Problem problem, String reason) {
            if (!problem.isFileProblem()) {
                throw new IllegalArgumentException("a usable entry can only break by its file, not " + problem);
            }
            return new Broken(name, problem, reason, Optional.of(spec), idleUnloadMinutes, pinned, engine);
        }

        /** This entry, unusable because its engine is not available on this server. */
        public Broken engineUnavailable(String reason) {
            return new Broken(name, Problem.ENGINE_UNAVAILABLE, reason, Optional.empty(), idleUnloadMinutes, pinned,
                    engine);
        }
    }

    /**
     * An entry that cannot be used now.
     *
     * @param name              the name requests use
     * @param problem           what is wrong
     * @param reason            why, safe to show a client: never an absolute path
     * @param spec              what would be loaded: present exactly when only the file is at fault, so that
     *                          the entry recovers when the file is put right
     * @param idleUnloadMinutes idle minutes before it is unloaded, 0 never
     * @param pinned            never evicted to make room
     * @param engine            the engine it names, or empty for the default engine
     */
    record Broken(String name, Problem problem, String reason, Optional<ModelSpec> spec, int idleUnloadMinutes,
                  boolean pinned, Optional<String> engine) implements ModelEntry {
        public Broken {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(engine, "engine");
            if (spec.isPresent() != problem.isFileProblem()) {
                throw new IllegalArgumentException("a spec is given exactly for a problem with the file, not for "
                        + problem);
            }
            requireIdleMinutes(idleUnloadMinutes);
        }

        /** A broken entry of the default engine. */
        public Broken(String name, Problem problem, String reason, Optional<ModelSpec> spec, int idleUnloadMinutes,
                      boolean pinned) {
            this(name, problem, reason, spec, idleUnloadMinutes, pinned, Optional.empty());
        }

        /** An entry whose settings are invalid: only a corrected registry and a restart help. */
        public static Broken invalid(String name, String reason, int idleUnloadMinutes, boolean pinned) {
            return new Broken(name, Problem.INVALID_ENTRY, reason, Optional.empty(), idleUnloadMinutes, pinned);
        }

        /** The usable entry it becomes once its file is right, if only its file is at fault. */
        public Optional<Usable> repaired() {
            return spec.map(s -> new Usable(name, s, idleUnloadMinutes, pinned, engine));
        }
    }

    /** What is wrong with a broken entry. */
    enum Problem {
        /** Unknown keys, bad values, no path: fixed by editing the registry and restarting. */
        INVALID_ENTRY,
        /** The model file does not exist. */
        FILE_MISSING,
        /** The path names a directory or another non-regular file. */
        NOT_A_FILE,
        /** The file cannot be read. */
        FILE_UNREADABLE,
        /** The engine cannot use the file: not a model, or malformed. */
        NOT_A_MODEL,
        /** The entry's engine cannot load the file's architecture ({@code general.architecture}). */
        UNSUPPORTED_ARCHITECTURE,
        /** The entry's engine is not present, or cannot run on this machine: installing it and a restart help. */
        ENGINE_UNAVAILABLE;

        /** True when only the file is at fault, so putting the file right repairs the entry. */
        public boolean isFileProblem() {
            return this != INVALID_ENTRY && this != ENGINE_UNAVAILABLE;
        }
    }

    private static void requireIdleMinutes(int idleUnloadMinutes) {
        if (idleUnloadMinutes < 0) {
            throw new IllegalArgumentException("idle unload minutes must not be negative");
        }
    }
}
