package dev.cerebrum.guard;

/**
 * CPU use over a window, split into the backend's own and everyone else's.
 *
 * @param hostPercent  host-wide busy time, 0..100 of all the host's cores
 * @param otherPercent the share of the cores available to the backend that other processes take, 0..100
 * @param ownPercent   the backend's (server and workers) use of the cores available to it, 0..100
 */
record CpuLoad(double hostPercent, double otherPercent, double ownPercent) {
    static final CpuLoad IDLE = new CpuLoad(0, 0, 0);

    /**
     * The figures from busy and own cores. Other processes take {@code busy - own} cores. Under a quota of
     * {@code allowed} cores they take something from the backend only beyond the {@code host - allowed}
     * cores the backend could not use anyway: other% = max(0, others - (host - allowed)) / allowed. Without
     * a quota ({@code allowed = host}) that is simply others / host.
     */
    static CpuLoad of(double busyCores, double ownCores, int hostCores, double allowedCores) {
        double busy = Math.max(0, busyCores);
        double own = Math.max(0, ownCores);
        double others = Math.max(0, busy - own);
        double taken = Math.max(0, others - (hostCores - allowedCores));
        return new CpuLoad(percent(busy / hostCores), percent(taken / allowedCores), percent(own / allowedCores));
    }

    private static double percent(double fraction) {
        return Double.isFinite(fraction) ? Math.max(0, Math.min(100, fraction * 100)) : 0;
    }
}
