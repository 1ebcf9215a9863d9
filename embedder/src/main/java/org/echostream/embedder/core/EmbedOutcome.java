package org.echostream.embedder.core;

import org.echostream.contracts.ClipLatents;

/** What became of one clip record: latents to publish, or a reason to send it to the dead-letter topic. */
public sealed interface EmbedOutcome {

    record Embedded(ClipLatents latents) implements EmbedOutcome {
    }

    /**
     * @param reasonCode   one of {@link RejectReasons} or a contracts decoding code
     * @param reasonDetail names the clip and the fact; never pixel values or patient data
     */
    record Rejected(String reasonCode, String reasonDetail) implements EmbedOutcome {
    }
}
