package dev.cerebrum.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The peers allowed to call non-health endpoints: IPv4 and IPv6 addresses and CIDR blocks. An empty list
 * allows every peer (the original's behaviour when {@code ALLOWED_CM4_IP} is unset). IPv4-mapped IPv6
 * addresses ({@code ::ffff:a.b.c.d}) match as their IPv4 address.
 */
final class IpAllowlist {
    // Only literal addresses: a host name would need a DNS lookup, which must never happen per request.
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

    private final List<Block> blocks;
    private final String description;

    private IpAllowlist(List<Block> blocks, String description) {
        this.blocks = List.copyOf(blocks);
        this.description = description;
    }

    /** Every peer is allowed. */
    static IpAllowlist allowAll() {
        return new IpAllowlist(List.of(), "any");
    }

    /**
     * Parses a comma-separated list. Unset or empty allows every peer; a value that holds only blanks and
     * commas is refused, because it more likely comes from a template that lost its address than from
     * someone who meant "allow everyone".
     *
     * @param setting the variable's name, for error messages
     * @throws IllegalArgumentException naming the bad entry
     */
    static IpAllowlist parse(String setting, String value) {
        if (value == null || value.isEmpty()) {
            return allowAll();
        }
        List<Block> blocks = new ArrayList<>();
        for (String raw : value.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            blocks.add(block(setting, entry));
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException(setting + " holds no address, only blanks or commas: list the allowed"
                    + " IP addresses or CIDR blocks, or remove the setting (or leave it empty) to allow every client");
        }
        return new IpAllowlist(blocks, String.join(",", blocks.stream().map(Block::text).toList()));
    }

    private static Block block(String setting, String entry) {
        int slash = entry.indexOf('/');
        String addressText = slash < 0 ? entry : entry.substring(0, slash);
        if (!LITERAL.matcher(addressText).matches() || (addressText.indexOf(':') < 0 && addressText.indexOf('.') < 0)) {
            throw new IllegalArgumentException(setting + " entry '" + entry + "' is not an IP address or CIDR block");
        }
        byte[] address;
        try {
            address = normalise(InetAddress.getByName(addressText));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(setting + " entry '" + entry + "' is not an IP address or CIDR block");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(entry.substring(slash + 1).strip());
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            // A prefix written for the IPv6 form of a mapped IPv4 address counts from the IPv4 part.
            if (address.length == 4 && addressText.indexOf(':') >= 0 && prefix >= 96) {
                prefix -= 96;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException(setting + " entry '" + entry + "' has a prefix length outside 0.."
                        + bits);
            }
        }
        return new Block(address, prefix, entry);
    }

    /** True when the peer may call protected endpoints. */
    boolean allows(InetAddress peer) {
        if (blocks.isEmpty()) {
            return true;
        }
        if (peer == null) {
            return false;
        }
        byte[] address = normalise(peer);
        for (Block block : blocks) {
            if (block.matches(address)) {
                return true;
            }
        }
        return false;
    }

    /** True when every peer is allowed. */
    boolean allowsAll() {
        return blocks.isEmpty();
    }

    @Override
    public String toString() {
        return description;
    }

    private static byte[] normalise(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isMappedIpv4(bytes)) {
            byte[] v4 = new byte[4];
            System.arraycopy(bytes, 12, v4, 0, 4);
            return v4;
        }
        return bytes;
    }

    private static boolean isMappedIpv4(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    private record Block(byte[] network, int prefix, String text) {
        boolean matches(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
