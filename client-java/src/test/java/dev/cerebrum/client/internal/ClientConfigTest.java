package dev.cerebrum.client.internal;

import dev.cerebrum.client.CerebrumClient;
import dev.cerebrum.client.CircuitBreakerPolicy;
import dev.cerebrum.client.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientConfigTest {

    private static ClientConfig config(List<URI> endpoints, String key) {
        return new ClientConfig(endpoints, key, Duration.ofSeconds(5), Duration.ofSeconds(120),
                Duration.ofSeconds(60), RetryPolicy.defaults(), CircuitBreakerPolicy.defaults(), 64, Duration.ZERO);
    }

    @Test
    void endpointsAreNormalised_andDeduplicated() {
        ClientConfig c = config(List.of(URI.create("HTTP://127.0.0.1:9000/"), URI.create("http://127.0.0.1:9000"),
                URI.create("http://host:1/prefix//")), null);
        assertEquals(List.of(URI.create("http://127.0.0.1:9000"), URI.create("http://host:1/prefix")), c.endpoints());
    }

    @Test
    void badEndpoints_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> config(List.of(URI.create("ftp://h/")), null));
        assertThrows(IllegalArgumentException.class, () -> config(List.of(URI.create("http://h/?q=1")), null));
        assertThrows(IllegalArgumentException.class, () -> config(List.of(URI.create("/relative")), null));
        assertThrows(IllegalStateException.class, () -> CerebrumClient.builder().build());
    }

    @Test
    void theKeyNeverAppearsInToString() {
        String s = config(List.of(URI.create("http://h:1")), "s3cr3t-key").toString();
        assertFalse(s.contains("s3cr3t-key"));
        try (CerebrumClient client = CerebrumClient.builder().endpoint("http://h:1").apiKey("s3cr3t-key").build()) {
            assertFalse(client.toString().contains("s3cr3t-key"));
        }
    }

    @Test
    void retryPolicyBackoff_doublesUpToItsCap() {
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(350), Duration.ofSeconds(10));
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(350)),
                List.of(p.backoff(1), p.backoff(2), p.backoff(3)));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO));
    }
}
