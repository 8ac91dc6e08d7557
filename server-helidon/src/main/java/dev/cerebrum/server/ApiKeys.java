package dev.cerebrum.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Checks presented keys in constant time. Only SHA-256 digests of the configured keys are kept, and a
 * presented key is compared with every one of them, so neither the length of a key nor which key matched
 * shows in the time taken.
 */
final class ApiKeys {
    private final List<byte[]> digests;

    private ApiKeys(List<byte[]> digests) {
        this.digests = digests;
    }

    /** Keys from their plain text; the text is not kept. */
    static ApiKeys of(List<String> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one key is needed");
        }
        return new ApiKeys(keys.stream().map(ApiKeys::sha256).toList());
    }

    /** True when the presented key is one of the configured keys. Null never matches. */
    boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] known : digests) {
            match |= MessageDigest.isEqual(known, digest);
        }
        return match;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
