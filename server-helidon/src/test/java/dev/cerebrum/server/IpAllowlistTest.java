package dev.cerebrum.server;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpAllowlistTest {

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    void unset_allowsEveryPeer() throws Exception {
        IpAllowlist list = IpAllowlist.parse("ALLOWED_CM4_IP", null);
        assertTrue(list.allowsAll());
        assertTrue(list.allows(ip("203.0.113.9")));
        assertTrue(IpAllowlist.parse("ALLOWED_CM4_IP", "").allows(ip("::1")));
    }

    @Test
    void onlyBlanksOrCommas_areRefused_ratherThanAllowingEveryPeer() {
        for (String blank : new String[]{" ", "   ", "\t", " , ", ",,"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> IpAllowlist.parse("ALLOWED_CM4_IP", blank), "'" + blank + "'");
            assertTrue(e.getMessage().startsWith("ALLOWED_CM4_IP holds no address"), e.getMessage());
        }
    }

    @Test
    void singleAddresses_matchExactly() throws Exception {
        IpAllowlist list = IpAllowlist.parse("ALLOWED_CM4_IP", "100.64.1.2, 127.0.0.1");
        assertTrue(list.allows(ip("100.64.1.2")));
        assertTrue(list.allows(ip("127.0.0.1")));
        assertFalse(list.allows(ip("100.64.1.3")));
        assertFalse(list.allows(ip("::1")));
    }

    @Test
    void ipv4Cidr_matchesItsBlockOnly() throws Exception {
        IpAllowlist list = IpAllowlist.parse("ALLOWED_CM4_IP", "100.64.0.0/10,10.1.2.128/25");
        assertTrue(list.allows(ip("100.64.0.1")));
        assertTrue(list.allows(ip("100.127.255.255")));
        assertFalse(list.allows(ip("100.128.0.0")));
        assertTrue(list.allows(ip("10.1.2.200")));
        assertFalse(list.allows(ip("10.1.2.127")));
    }

    @Test
    void ipv6AddressesAndCidrs_match() throws Exception {
        IpAllowlist list = IpAllowlist.parse("ALLOWED_CM4_IP", "::1,fd7a:115c:a1e0::/48");
        assertTrue(list.allows(ip("::1")));
        assertTrue(list.allows(ip("fd7a:115c:a1e0:ab12::1")));
        assertFalse(list.allows(ip("fd7a:115c:a1e1::1")));
        assertFalse(list.allows(ip("127.0.0.1")));
    }

    @Test
    void ipv4MappedIpv6Peers_matchTheirIpv4Entry() throws Exception {
        IpAllowlist list = IpAllowlist.parse("ALLOWED_CM4_IP", "192.168.1.0/24");
        assertTrue(list.allows(ip("::ffff:192.168.1.7")));
        assertTrue(IpAllowlist.parse("ALLOWED_CM4_IP", "::ffff:10.0.0.0/104").allows(ip("10.200.0.1")));
    }

    @Test
    void zeroPrefix_matchesEveryAddressOfItsFamily() throws Exception {
        IpAllowlist list = IpAllowlist.parse("ALLOWED_CM4_IP", "0.0.0.0/0");
        assertTrue(list.allows(ip("8.8.8.8")));
        assertFalse(list.allows(ip("2001:db8::1")));
    }

    @Test
    void badEntries_areRefusedNamingTheSetting() {
        for (String bad : new String[]{"100.x.y.z", "10.0.0.0/33", "::1/129", "example.com", "10.0.0.1/abc",
                "1.2.3.4/-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> IpAllowlist.parse("ALLOWED_CM4_IP", bad), bad);
            assertTrue(e.getMessage().startsWith("ALLOWED_CM4_IP"), e.getMessage());
        }
    }

    @Test
    void aNullPeer_isNotAllowedByAList() {
        assertFalse(IpAllowlist.parse("ALLOWED_CM4_IP", "127.0.0.1").allows(null));
    }
}
