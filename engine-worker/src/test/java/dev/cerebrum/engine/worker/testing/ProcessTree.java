package dev.cerebrum.engine.worker.testing;

import dev.cerebrum.engine.worker.ProcStatus;

/** Resident memory of this JVM and all its descendants, from /proc. */
public final class ProcessTree {
    private ProcessTree() {
    }

    /** The resident bytes of this JVM and its descendants. */
    public static long residentBytes() {
        ProcessHandle self = ProcessHandle.current();
        long total = ProcStatus.residentBytes(self.pid());
        for (ProcessHandle child : self.descendants().toList()) {
            long rss = ProcStatus.residentBytes(child.pid());
            if (rss > 0) {
                total += rss;
            }
        }
        return total;
    }
}
