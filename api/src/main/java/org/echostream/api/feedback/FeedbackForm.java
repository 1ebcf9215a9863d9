package org.echostream.api.feedback;

/**
 * The body of {@code POST /api/v1/series/{uid}/feedback}, as the caller sent it (nothing checked yet).
 *
 * @param eventId the anomaly event answered, or null for the series as a whole
 * @param answer  AGREE, DISAGREE or UNCERTAIN
 * @param finding optional coded finding (REGIONAL_WALL_MOTION_ABNORMALITY, REDUCED_EF, ARRHYTHMIA, ARTEFACT, OTHER)
 * @param segment AHA 17-segment number, required with (and only with) a regional wall motion abnormality
 * @param comment optional free text
 */
public record FeedbackForm(String eventId, String answer, String finding, Integer segment, String comment) {
}
