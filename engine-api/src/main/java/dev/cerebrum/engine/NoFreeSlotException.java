package dev.cerebrum.engine;

/**
 * A generation was handed to a model whose slots are all busy. Engines do not queue; the scheduler in front of
 * them (the resource guard) hands a model at most as many generations as it has free slots, so this signals a
 * scheduling error, not load.
 */
public class NoFreeSlotException extends EngineFailureException {
    public NoFreeSlotException(int slots) {
        super("all " + slots + " slots of the model are busy");
    }
}
