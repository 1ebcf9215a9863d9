package org.echostream.ingest.pipeline;

import java.nio.file.Path;

/**
 * An instance kept durably in the spool: the claim-check that records point to.
 *
 * @param uri    {@code file:} URI of the spooled file
 * @param sha256 hex digest of the file's bytes (also its name: names never come from attribute values)
 */
public record SpooledFile(Path path, String uri, String sha256, long bytes) {
}
