package dev.cerebrum.guard;

/**
 * The guard's log (logger {@code cerebrum.guard}). Every caught failure is logged once, here, with the model's
 * name and the failure's message made safe: absolute paths become file names, and no stack trace is written.
 */
final class GuardLog {
    private static final System.Logger LOG = System.getLogger("cerebrum.guard");

    private GuardLog() {
    }

    /** A failure that changes what the model can do (a failed load, a lost worker). */
    static void warning(String model, String what, Throwable e) {
        LOG.log(System.Logger.Level.WARNING, () -> line(model, what, e));
    }

    /** An event worth a line without a failure (a recovered entry, a reload). */
    static void info(String model, String what) {
        LOG.log(System.Logger.Level.INFO, () -> subject(model) + Safe.message(what));
    }

    /** A warning without an exception. */
    static void warning(String model, String what) {
        LOG.log(System.Logger.Level.WARNING, () -> subject(model) + Safe.message(what));
    }

    /** A failure the guard expected and handled in its course (a race with an unload, a metric it skipped). */
    static void debug(String model, String what, Throwable e) {
        LOG.log(System.Logger.Level.DEBUG, () -> line(model, what, e));
    }

    private static String line(String model, String what, Throwable e) {
        return subject(model) + what + ": " + e.getClass().getSimpleName() + ": " + Safe.message(e.getMessage());
    }

    private static String subject(String model) {
        return model == null ? "" : "model '" + model + "': ";
    }
}
