package org.echostream.ingest.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.echostream.ingest.dicom.TransferSyntax;

/**
 * One presentation context per transfer syntax ingest can decode, for ultrasound multi-frame: what a test SCU
 * proposes when it sends files of any encoding, and the context id to store each encoding on.
 */
public record DecodableContexts(List<TestScu.Proposal> proposals, Map<String, Integer> contextOf) {

    public static DecodableContexts usMultiframe() {
        List<TestScu.Proposal> proposals = new ArrayList<>();
        Map<String, Integer> contextOf = new HashMap<>();
        int id = 1;                                   // presentation context ids are odd (PS3.8 9.3.2.2)
        for (TransferSyntax syntax : TransferSyntax.values()) {
            if (syntax.codec() != TransferSyntax.Codec.UNSUPPORTED) {
                proposals.add(new TestScu.Proposal(id, Part10Writer.US_MULTIFRAME, syntax.uid()));
                contextOf.put(syntax.uid(), id);
                id += 2;
            }
        }
        // unmodifiable, but a lookup of a missing (null) transfer syntax answers null as a HashMap does (mutated files)
        return new DecodableContexts(List.copyOf(proposals), Collections.unmodifiableMap(contextOf));
    }
}
