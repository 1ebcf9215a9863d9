package org.echostream.findings.report;

import java.util.Optional;

/** The documents for one result version: the measurement report, and the key object selection when a series is flagged. */
public record Findings(String studyInstanceUid, String resultVersion, SrDocument report, Optional<SrDocument> keyImages) {
}
