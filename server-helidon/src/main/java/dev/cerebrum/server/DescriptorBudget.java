package dev.cerebrum.server;

import com.sun.management.UnixOperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.function.LongSupplier;

/**
 * The process's file descriptors: its limit ({@code ulimit -n}, systemd's {@code LimitNOFILE}) and how many are
 * open. Every connection holds one, and so do the server's own files and each model worker's pipes and socket.
 * When the accept call finds none left, Helidon ends the listener for good; the connection limits are therefore
 * kept below what the limit allows, and new connections are refused while too few descriptors remain.
 *
 * <p>Readings are taken in the background ({@link #refresh(int)}); between two readings, the connections opened
 * since the last one are added to it, so a burst of connections is counted at once.
 */
final class DescriptorBudget {
    /** Descriptors kept for everything but client connections: files, logs, worker pipes, refusals in flight. */
    static final int RESERVE = 128;
    /** Below this many free descriptors, new connections are refused. */
    static final int LOW_WATER = 32;
    /** Connections the hard limit allows beyond the served ones, so that refusals can still be answered. */
    static final int REFUSAL_MARGIN = 16;
    /** The fewest connections worth starting for. */
    static final int MIN_CONNECTIONS = 8;

    private final LongSupplier limitReader;
    private final LongSupplier openReader;
    private volatile long limit;
    private volatile long openAtReading;
    private volatile int connectionsAtReading;

    DescriptorBudget(LongSupplier limitReader, LongSupplier openReader) {
        this.limitReader = limitReader;
        this.openReader = openReader;
        refresh(0);
    }

    /** The budget of this process; where the platform cannot tell (not Unix), it never refuses anything. */
    static DescriptorBudget ofThisProcess() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            return new DescriptorBudget(unix::getMaxFileDescriptorCount, unix::getOpenFileDescriptorCount);
        }
        return new DescriptorBudget(() -> -1, () -> -1);
    }

    /** True when the limit and the open count can be read. */
    boolean known() {
        return limit > 0 && openAtReading >= 0;
    }

    /** The descriptor limit at the last reading, or -1 when unknown. */
    long limit() {
        return known() ? limit : -1;
    }

    /** The open descriptors at the last reading, or -1 when unknown. */
    long open() {
        return known() ? openAtReading : -1;
    }

    /** Client connections the limit leaves room for, beyond what is open now and the reserve. */
    int connectionRoom() {
        if (!known()) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, limit - openAtReading - RESERVE - REFUSAL_MARGIN));
    }

    /** Takes a new reading; {@code liveConnections} is the number of connections open at this moment. */
    void refresh(int liveConnections) {
        long l = limitReader.getAsLong();
        long o = openReader.getAsLong();
        limit = l;
        openAtReading = o;
        connectionsAtReading = liveConnections;
    }

    /** True when fewer than {@link #LOW_WATER} descriptors would be left with {@code liveConnections} open. */
    boolean low(int liveConnections) {
        if (!known()) {
            return false;
        }
        long estimate = openAtReading + Math.max(0, liveConnections - connectionsAtReading);
        return limit - estimate < LOW_WATER;
    }
}
