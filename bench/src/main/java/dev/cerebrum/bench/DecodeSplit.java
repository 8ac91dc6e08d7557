package dev.cerebrum.bench;

/**
 * Where our single-stream decode time per token goes against llama-server's, split by the raw loop (d) that runs
 * the ffm engine's C-API loop on our libraries without any server: raw loop minus llama-server is the native
 * code's build (nothing when both run the same build) and the differences of the loops and the samplers; our
 * server minus the raw loop is our server's overhead (scheduler, worker process, HTTP). Medians of the per-run
 * milliseconds per token; NaN where a figure is missing.
 *
 * @param oursMs our server over HTTP
 * @param rawMs  the raw loop
 * @param peerMs llama-server
 */
record DecodeSplit(double oursMs, double rawMs, double peerMs) {

    /** The split of these figures; the raw loop's and llama-server's may be null (not measured). */
    static DecodeSplit of(PeerFigures ours, PeerFigures raw, PeerFigures peer) {
        return new DecodeSplit(ours.singleDecodeMsPerToken().median(),
                raw == null ? Double.NaN : raw.singleDecodeMsPerToken().median(),
                peer == null ? Double.NaN : peer.singleDecodeMsPerToken().median());
    }

    /** The raw loop's milliseconds per token over llama-server's: the native build, the loop and the sampler. */
    double nativeMs() {
        return rawMs - peerMs;
    }

    /** Our server's milliseconds per token over the raw loop's: our server's overhead. */
    double serverMs() {
        return oursMs - rawMs;
    }

    /** Our server's milliseconds per token over llama-server's: the whole gap, {@link #nativeMs} + {@link #serverMs}. */
    double totalMs() {
        return oursMs - peerMs;
    }

    /**
     * {@code part} as a share of the whole gap, in percent; NaN when there is no gap to share or the parts do not
     * share it (one of them negative: the signed figures say more than a share above 100 %).
     */
    double shareOfGap(double part) {
        double percent = Stats.ratio(part, totalMs()) * 100;
        return totalMs() > 0 && percent >= 0 && percent <= 100 ? percent : Double.NaN;
    }
}
