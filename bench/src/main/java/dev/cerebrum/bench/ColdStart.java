package dev.cerebrum.bench;

import java.util.List;

/**
 * From an unloaded model to its first token, through HTTP (the request loads the model).
 *
 * @param firstTokenMs per cold start: the client's time from the request to the first token
 * @param loadMs       per cold start: the load time the server reports
 * @param error        the failure, or null
 */
record ColdStart(List<Double> firstTokenMs, List<Double> loadMs, String error) {

    ColdStart {
        firstTokenMs = List.copyOf(firstTokenMs);
        loadMs = List.copyOf(loadMs);
    }

    static final ColdStart NONE = new ColdStart(List.of(), List.of(), null);
}
