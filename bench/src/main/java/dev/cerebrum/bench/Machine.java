package dev.cerebrum.bench;

/**
 * The machine a run was measured on.
 *
 * @param cpuModel    the CPU's model name
 * @param cpus        processors available to the JVM
 * @param simd        SIMD flags of interest
 * @param ramBytes    total RAM
 * @param os          operating system and kernel
 * @param java        the JVM running the benchmark
 * @param loadAverage the 1/5/15-minute load average when the run started
 */
record Machine(String cpuModel, int cpus, String simd, long ramBytes, String os, String java, String loadAverage) {

    /** This machine, now. */
    static Machine current() {
        return new Machine(ProcFs.cpuModel(), Runtime.getRuntime().availableProcessors(), ProcFs.simdFlags(),
                ProcFs.memTotal(), System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                ProcFs.loadAverage());
    }
}
