package dev.cerebrum.bench;

/**
 * One generation as its consumer saw it. Every path is timed the same way, on the consuming side.
 *
 * @param ttftMs                from the call that starts the generation to its first token
 * @param promptTokensPerSecond prompt tokens over the time to first token
 * @param decodeTokensPerSecond tokens after the first over the time from the first token to the last
 * @param promptTokens          prompt tokens, as the path counted them
 * @param completionTokens      tokens generated
 * @param finishReason          why it ended, in the wire's words
 * @param totalMs               from the call to the end of the stream
 * @param queueMs               waiting for a slot, as the server reported it (NaN when the path has no queue)
 * @param hostCpuMs             CPU time the processes around the model's process spent on the run: the engine's
 *                              host JVM, and for HTTP the server's JVM and the client's (NaN when not measured)
 * @param serverCpuMs           the server JVM's part of it (NaN but for HTTP)
 */
record RunSample(double ttftMs, double promptTokensPerSecond, double decodeTokensPerSecond, int promptTokens,
                 int completionTokens, String finishReason, double totalMs, double queueMs, double hostCpuMs,
                 double serverCpuMs) {

    RunSample(double ttftMs, double promptTokensPerSecond, double decodeTokensPerSecond, int promptTokens,
              int completionTokens, String finishReason, double totalMs, double queueMs) {
        this(ttftMs, promptTokensPerSecond, decodeTokensPerSecond, promptTokens, completionTokens, finishReason, totalMs,
                queueMs, Double.NaN, Double.NaN);
    }

    /** This sample with the CPU time of the processes around the model's, and the server's part of it. */
    RunSample withHostCpuMs(double ms, double serverMs) {
        return new RunSample(ttftMs, promptTokensPerSecond, decodeTokensPerSecond, promptTokens, completionTokens,
                finishReason, totalMs, queueMs, ms, serverMs);
    }
}
