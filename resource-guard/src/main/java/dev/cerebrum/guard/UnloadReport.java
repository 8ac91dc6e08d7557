package dev.cerebrum.guard;

/**
 * What an unload did.
 *
 * @param model                the model
 * @param cancelledGenerations generations (running or queued) that were cancelled
 */
public record UnloadReport(String model, int cancelledGenerations) {
}
