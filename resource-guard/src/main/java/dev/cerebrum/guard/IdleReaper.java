package dev.cerebrum.guard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The background sweep: unloads models idle longer than their idle time (counted from the end of their last
 * generation), and replaces workers that are gone.
 */
final class IdleReaper {
    private final Residents residents;
    private final Slots slots;
    private final Unloader unloader;
    private final Clock clock;

    IdleReaper(Residents residents, Slots slots, Unloader unloader, Clock clock) {
        this.residents = residents;
        this.slots = slots;
        this.unloader = unloader;
        this.clock = clock;
    }

    /** One sweep. A failure is logged and the sweep runs again at the next interval. */
    void sweep() {
        try {
            for (Resident r : residents.all()) {
                slots.replaceIfDead(r);
            }
            Instant now = clock.instant();
            List<Resident> due = new ArrayList<>();
            for (Resident r : residents.all()) {
                r.lock.lock();
                try {
                    int minutes = r.entry.idleUnloadMinutes();
                    if (minutes > 0 && r.idle()
                            && Duration.between(r.idleSince, now).compareTo(Duration.ofMinutes(minutes)) >= 0) {
                        due.add(r);
                    }
                } finally {
                    r.lock.unlock();
                }
            }
            for (Resident r : due) {
                unloader.unloadIdle(r, Unloader.Why.IDLE);
            }
        } catch (RuntimeException e) {
            GuardLog.warning(null, "the idle sweep failed; it runs again at the next interval", e);
        }
    }
}
