package dev.cerebrum.bench;

/**
 * One phase of a run.
 *
 * @param name       what it did
 * @param seconds    its wall time
 * @param otherCores CPU that processes outside the benchmark used meanwhile, in cores (NaN when unknown)
 * @param stealCores CPU the hypervisor stole meanwhile, in cores (NaN when unknown)
 */
record Phase(String name, double seconds, double otherCores, double stealCores) {
}
