package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.worker.ProcStatus;

/** Resident memory of this JVM and all its descendants, from /proc. */
final class ProcessTree {
    private ProcessTree() {
    }

    static long residentBytes() {
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
