package dev.cerebrum.guard;

import java.util.Locale;

/** Which limit a CPU or memory figure is judged against. */
public enum LimitSource {
    /** The whole host: no cgroup limit applies. */
    HOST,
    /** A cgroup limit of the backend's own process (a container's or a systemd unit's). */
    CGROUP;

    /** The lower-case name used on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
