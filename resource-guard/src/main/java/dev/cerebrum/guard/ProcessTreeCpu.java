package dev.cerebrum.guard;

import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU time used so far by one process and all its descendants (the server and its model workers),
 * read with OSHI. The total never goes down: a descendant that has exited keeps the CPU time it had at
 * its last reading. What it used after that reading (at most one sample interval) is not counted, because
 * once a child is reaped its time is no longer anyone's to read.
 */
final class ProcessTreeCpu {
    private final OperatingSystem os;
    private final int pid;
    private Map<Key, Long> live = Map.of();
    private long exitedMillis;

    /** A process, told apart from a later one that reuses its id. */
    private record Key(int pid, long startTime) {
    }

    ProcessTreeCpu(OperatingSystem os, int pid) {
        this.os = os;
        this.pid = pid;
    }

    /** CPU milliseconds (user and system) of the process and its descendants, exited ones included. */
    synchronized long totalMillis() {
        Map<Key, Long> now = new HashMap<>();
        OSProcess self = os.getProcess(pid);
        if (self != null) {
            put(now, self);
        }
        List<OSProcess> descendants = os.getDescendantProcesses(pid, null, null, 0);
        for (OSProcess p : descendants) {
            put(now, p);
        }
        for (Map.Entry<Key, Long> e : live.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                exitedMillis += e.getValue();
            }
        }
        live = now;
        long total = exitedMillis;
        for (long ms : now.values()) {
            total += ms;
        }
        return total;
    }

    private void put(Map<Key, Long> into, OSProcess p) {
        Key key = new Key(p.getProcessID(), p.getStartTime());
        long ms = Math.max(0, p.getUserTime()) + Math.max(0, p.getKernelTime());
        // A reading never goes back (a process read half-way through exiting may read as zero).
        into.put(key, Math.max(ms, live.getOrDefault(key, 0L)));
    }
}
