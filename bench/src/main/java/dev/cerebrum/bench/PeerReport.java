package dev.cerebrum.bench;

import java.util.List;

/**
 * One peer comparison.
 *
 * @param startedAt      when it started (ISO-8601 UTC)
 * @param machine        where it ran
 * @param options        what it measured
 * @param model          the model both servers served
 * @param ours           the ffm engine over HTTP
 * @param peer           llama-server; null when it was skipped
 * @param peerSkipped    why llama-server was not measured, or null
 * @param peerVersion    llama-server's version line, or null
 * @param peerCommand    llama-server's command line, or null
 * @param otherCores     CPU other processes took while measuring, in cores (NaN when unknown)
 * @param stealCores     CPU the hypervisor stole meanwhile, in cores (NaN when unknown)
 * @param totalSeconds   the whole run
 * @param loadAverageEnd the load average at the end
 * @param notes          remarks for the reader
 */
record PeerReport(String startedAt, Machine machine, PeerOptions options, ModelFile model, PeerFigures ours,
                  PeerFigures peer, String peerSkipped, String peerVersion, String peerCommand, double otherCores, double stealCores,
                  double totalSeconds, String loadAverageEnd, List<String> notes) {

    PeerReport {
        notes = List.copyOf(notes);
    }
}
