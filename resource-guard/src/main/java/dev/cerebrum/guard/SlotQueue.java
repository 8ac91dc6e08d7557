package dev.cerebrum.guard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One model's slots and its queue of generations waiting for one, in arrival order. Not thread-safe: guarded
 * by its {@link Resident}'s lock.
 */
final class SlotQueue {
    private final ArrayDeque<ManagedGeneration> waiters = new ArrayDeque<>();
    private final Set<ManagedGeneration> running = new LinkedHashSet<>();
    private int inFlight;
    /** Set by a forced unload: slots freed while it runs are not handed to waiters. */
    private boolean noPromotions;

    /** Generations that hold a slot. */
    int inFlight() {
        return inFlight;
    }

    /** Generations waiting for a slot. */
    int waiting() {
        return waiters.size();
    }

    /** Nothing running, nothing waiting. */
    boolean isEmpty() {
        return inFlight == 0 && waiters.isEmpty();
    }

    /** Gives a slot to the generation. */
    void occupy(ManagedGeneration g) {
        inFlight++;
        running.add(g);
    }

    /** Takes the slot back; false when the generation held none. */
    boolean release(ManagedGeneration g) {
        if (running.remove(g)) {
            inFlight--;
            return true;
        }
        return false;
    }

    /** Adds a generation at the end of the queue. */
    void enqueue(ManagedGeneration g) {
        waiters.addLast(g);
    }

    /** Puts a generation back at the head of the queue (its slot was lost before it started). */
    void requeue(ManagedGeneration g) {
        waiters.addFirst(g);
    }

    /** Removes a waiting generation; false when it was not waiting. */
    boolean leave(ManagedGeneration g) {
        return waiters.remove(g);
    }

    /** Hands free slots to the first waiters, up to {@code slots}; they hold their slots when this returns. */
    List<ManagedGeneration> promote(int slots) {
        List<ManagedGeneration> promoted = new ArrayList<>();
        while (!noPromotions && inFlight < slots && !waiters.isEmpty()) {
            ManagedGeneration next = waiters.poll();
            occupy(next);
            promoted.add(next);
        }
        return promoted;
    }

    /** Drops what runs from the slot count: their worker is gone, so their slots are free on the next one. */
    void forgetRunning() {
        running.clear();
        inFlight = 0;
    }

    /** Empties the queue and returns what waited. */
    List<ManagedGeneration> drainWaiters() {
        List<ManagedGeneration> out = new ArrayList<>(waiters);
        waiters.clear();
        return out;
    }

    /** What waits and what runs, waiters first. */
    List<ManagedGeneration> all() {
        List<ManagedGeneration> out = new ArrayList<>(waiters);
        out.addAll(running);
        return out;
    }

    /** What runs. */
    List<ManagedGeneration> running() {
        return new ArrayList<>(running);
    }

    /** Stops handing freed slots to waiters (a forced unload is under way), or allows it again. */
    void holdPromotions(boolean hold) {
        noPromotions = hold;
    }
}
