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
 * @param raw            the raw loop (d) on the ffm engine's libraries, single stream and latency probe only
 * @param rawPrebuilt    the same raw loop on the prebuilt natives, when {@code natives} are another build; else null
 * @param natives        the libraries the ffm engine (our server and the raw loop) ran on
 * @param peerSkipped    why llama-server was not measured, or null
 * @param peerVersion    llama-server's version line, or null
 * @param peerBuild      how llama-server was built (the build script's BUILD.txt), or null
 * @param peerCommand    llama-server's command line, or null
 * @param otherCores     CPU other processes took while measuring, in cores (NaN when unknown)
 * @param stealCores     CPU the hypervisor stole meanwhile, in cores (NaN when unknown)
 * @param totalSeconds   the whole run
 * @param loadAverageEnd the load average at the end
 * @param notes          remarks for the reader
 */
record PeerReport(String startedAt, Machine machine, PeerOptions options, ModelFile model, PeerFigures ours,
                  PeerFigures peer, PeerFigures raw, PeerFigures rawPrebuilt,
                  PeerNatives natives, String peerSkipped, String peerVersion,
                  String peerBuild, String peerCommand, double otherCores, double stealCores,
                  double totalSeconds, String loadAverageEnd, List<String> notes) {

    PeerReport {
        notes = List.copyOf(notes);
    }
}
