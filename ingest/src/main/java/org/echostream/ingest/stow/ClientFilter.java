package org.echostream.ingest.stow;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which client addresses may post instances: literal IPs or CIDR blocks (IPv4 or IPv6), none listed meaning any.
 * The network policy is the first gate; this one keeps a misrouted sender out when the service is reachable more
 * widely than intended.
 */
public final class ClientFilter {

    private record Block(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Block> blocks;

    private ClientFilter(List<Block> blocks) {
        this.blocks = blocks;
    }

    /** @throws IllegalArgumentException naming the entry that is not an IP or CIDR block */
    public static ClientFilter of(List<String> entries) {
        return new ClientFilter(entries.stream().map(String::strip).filter(e -> !e.isEmpty()).map(ClientFilter::block).toList());
    }

    public boolean allows(String address) {
        if (blocks.isEmpty()) {
            return true;
        }
        byte[] bytes = literal(address);
        return bytes != null && blocks.stream().anyMatch(b -> b.contains(bytes));
    }

    private static Block block(String entry) {
        int slash = entry.indexOf('/');
        byte[] network = literal(slash < 0 ? entry : entry.substring(0, slash));
        if (network == null) {
            throw new IllegalArgumentException("echostream.stow.allowed-clients: '" + entry + "' is not an IP address or CIDR block");
        }
        int prefix = network.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException("echostream.stow.allowed-clients: '" + entry + "' has a prefix length outside 0.."
                        + network.length * 8);
            }
        }
        return new Block(network, prefix);
    }

    /** The address's bytes when it is an IP literal (never a name: no DNS lookup), else null. */
    private static byte[] literal(String s) {
        boolean v4 = s != null && !s.isEmpty() && s.chars().allMatch(c -> Character.isDigit(c) || c == '.');
        boolean v6 = s != null && s.indexOf(':') >= 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
