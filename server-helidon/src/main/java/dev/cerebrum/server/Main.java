package dev.cerebrum.server;

import java.util.Map;

/**
 * Runs the server in the foreground ({@code ./cerebrum serve}) until SIGTERM or Ctrl-C, then stops it
 * gracefully. Exit status 2 means a bad or missing setting, 1 any other start-up failure, 3 that the server
 * could no longer listen (its listener ended and could not be restarted), so a supervisor should start it again.
 */
public final class Main {
    private Main() {
    }

    /** Starts the server and blocks until it has stopped. */
    public static void main(String[] args) {
        ServerLogging.bridgeJavaUtilLogging();
        CerebrumServer server;
        try {
            server = CerebrumServer.start(Map.of());
        } catch (IllegalArgumentException e) {
            System.err.println("cerebrum: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println("cerebrum: cannot start: " + Errors.safe(e.getMessage()));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("cerebrum: stopping (grace period " + server.settings().shutdownGrace().toSeconds()
                    + " s)");
            server.close();
            System.err.println("cerebrum: stopped");
        }, "cerebrum-shutdown"));
        Settings s = server.settings();
        System.out.println("Cerebrum backend listening on http://" + CerebrumServer.hostForUrl(s.bindIp()) + ":"
                + server.port() + "  (logs: " + s.logDir().resolve(ServerLogging.FILE_NAME) + ")");
        server.awaitStopped();
        if (server.listenerLost()) {
            System.err.println("cerebrum: the server could no longer listen and stopped");
            System.exit(3);
        }
    }
}
