package org.echostream.ingest.scp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may open an association. On loopback (the local run) any calling AE title is accepted: only this machine's
 * users can connect. A listener facing the network must name its callers (the calling-AE allow-list), unless the
 * operator says in so many words that any caller is accepted (e.g. behind a DICOM router that already does it):
 * a forgotten allow-list must not be a silent "everyone may store".
 */
public final class CallerPolicy {

    private CallerPolicy() {
    }

    /** The allow-list to serve with; throws, naming the keys to set, when a non-loopback listener has none. */
    public static Set<String> allowList(String bindAddress, Optional<List<String>> allowed, boolean acceptAnyCallingAe) {
        Set<String> list = Set.copyOf(allowed.orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).toList());
        if (list.isEmpty() && !acceptAnyCallingAe && !loopback(bindAddress)) {
            throw new IllegalStateException("DICOM SCP bound to " + bindAddress + " (not loopback) has no calling-AE allow-list: set "
                    + "echostream.scp.allowed-calling-ae-titles (ECHOSTREAM_SCP_ALLOWED_CALLING_AE_TITLES) to the modalities and PACS "
                    + "that may send, or echostream.scp.accept-any-calling-ae=true to accept any caller on purpose");
        }
        return list;
    }

    static boolean loopback(String bindAddress) {
        try {
            return InetAddress.getByName(bindAddress).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;                                  // unresolvable: treat as exposed, the stricter reading
        }
    }
}
