package org.echostream.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.echostream.api.ApiEndpointsIT.audited;
import static org.echostream.api.ApiEndpointsIT.call;
import static org.echostream.api.ApiEndpointsIT.deniedWithoutPatientData;
import static org.echostream.api.ApiEndpointsIT.get;
import static org.echostream.api.EchoFixtures.CALM_SERIES_OF_FLAGGED_STUDY;
import static org.echostream.api.EchoFixtures.FLAGGED_STUDY;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.echostream.contracts.AuditOutcome;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.FeedbackAnswer;
import org.echostream.contracts.FeedbackFinding;
import org.echostream.contracts.SeriesFeedback;
import org.echostream.contracts.kafka.Topics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Feedback against the real broker: answers land on feedback.v1 with the whole history, are audited as access
 * to their study, show on the worklist, and their comment never reaches a log line. Answers go to the calm
 * series of the flagged study, so the flagged study stays "awaiting review" for the browser test.
 */
@QuarkusTest
@WithTestResource(SeededKafkaResource.class)
class FeedbackIT {

    static final String PATH = "/api/v1/series/" + CALM_SERIES_OF_FLAGGED_STUDY + "/feedback";

    @BeforeAll
    static void credentials() throws Exception {
        ApiEndpointsIT.readGeneratedCredentials();
    }

    @Test
    void nobody_unauthenticated_can_answer_and_the_refusal_is_audited() {
        deniedWithoutPatientData(call(null, "POST", PATH, given().contentType("application/json").body("{\"answer\":\"AGREE\"}")),
                401, "anonymous", "series-feedback", CALM_SERIES_OF_FLAGGED_STUDY);
    }

    @Test
    void a_malformed_answer_gets_400_with_the_reason_and_a_form_post_415() {
        var bad = call("clinician", "POST", PATH, given().contentType("application/json").body("{\"answer\":\"MAYBE\"}"));
        assertThat(bad.response().statusCode()).isEqualTo(400);
        assertThat(bad.response().jsonPath().getString("error")).contains("answer must be one of");
        var noEvent = call("clinician", "POST", PATH, given().contentType("application/json").body("{\"answer\":\"AGREE\",\"eventId\":\"nope\"}"));
        assertThat(noEvent.response().statusCode()).isEqualTo(400);
        assertThat(noEvent.response().jsonPath().getString("error")).contains("has no anomaly event nope");
        var form = call("clinician", "POST", PATH, given().contentType("application/x-www-form-urlencoded").body("answer=AGREE"));
        assertThat(form.response().statusCode()).isEqualTo(415);
        var missing = call("clinician", "POST", "/api/v1/series/1.2.3.999/feedback", given().contentType("application/json").body("{\"answer\":\"AGREE\"}"));
        assertThat(missing.response().statusCode()).isEqualTo(404);
    }

    @Test
    void answers_land_on_the_topic_with_their_history_are_audited_counted_on_the_worklist_and_never_logged_with_their_text()
            throws Exception {
        String comment = "apical hypokinesis, Mrs Fixture " + UUID.randomUUID();
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try {
            var first = call("clinician", "POST", PATH, given().contentType("application/json")
                    .body("{\"answer\":\"AGREE\",\"finding\":\"REGIONAL_WALL_MOTION_ABNORMALITY\",\"segment\":11,\"comment\":\"" + comment + "\"}"));
            assertThat(first.response().statusCode()).isEqualTo(201);
            assertThat(first.response().header("Location")).endsWith(PATH);
            AuditRecord audit = audited(first, AuditOutcome.ALLOWED, "clinician", "series-feedback", CALM_SERIES_OF_FLAGGED_STUDY);
            assertThat(audit.getAction()).isEqualTo("POST /api/v1/series/{seriesInstanceUid}/feedback");
            assertThat(audit.getStudyInstanceUids()).containsExactly(FLAGGED_STUDY);
            String firstId = first.response().jsonPath().getString("history[-1].entryId");

            SeriesFeedback onTopic = AuditLog.await(Topics.FEEDBACK,
                    f -> f.getEntries().stream().anyMatch(e -> e.getEntryId().equals(firstId)), "feedback record with " + firstId);
            var entry = onTopic.getEntries().stream().filter(e -> e.getEntryId().equals(firstId)).findFirst().orElseThrow();
            assertThat(onTopic.getStudyInstanceUid()).isEqualTo(FLAGGED_STUDY);
            assertThat(entry.getAnswer()).isEqualTo(FeedbackAnswer.AGREE);
            assertThat(entry.getFinding()).isEqualTo(FeedbackFinding.REGIONAL_WALL_MOTION_ABNORMALITY);
            assertThat(entry.getSegment()).isEqualTo(11);
            assertThat(entry.getComment()).isEqualTo(comment);
            assertThat(entry.getClinician()).isEqualTo("clinician");
            assertThat(entry.getScoreWhenAnswered()).isEqualTo(0.18);

            // The same clinician changes their mind, an admin answers too: two in force, three in the history.
            assertThat(call("clinician", "POST", PATH, given().contentType("application/json").body("{\"answer\":\"UNCERTAIN\"}"))
                    .response().statusCode()).isEqualTo(201);
            var byAdmin = call("admin", "POST", PATH, given().contentType("application/json").body("{\"answer\":\"DISAGREE\",\"finding\":\"ARTEFACT\"}"));
            assertThat(byAdmin.response().statusCode()).isEqualTo(201);
            SeriesFeedback latest = AuditLog.await(Topics.FEEDBACK, f -> f.getSeriesInstanceUid().equals(CALM_SERIES_OF_FLAGGED_STUDY)
                    && f.getEntries().size() >= 3, "feedback record with three answers");
            assertThat(latest.getEntries().get(0).getEntryId()).as("the whole history travels in each record").isEqualTo(firstId);

            var read = get("clinician", PATH);
            assertThat(read.response().statusCode()).isEqualTo(200);
            JsonPath json = read.response().jsonPath();
            assertThat(json.getList("current.answer")).containsExactly("UNCERTAIN", "DISAGREE");
            assertThat(json.getList("history.answer")).containsExactly("AGREE", "UNCERTAIN", "DISAGREE");
            assertThat(AuditLog.forRequest(read.requestId()).getStudyInstanceUids()).containsExactly(FLAGGED_STUDY);

            JsonPath calm = get("clinician", PATH).response().jsonPath();
            assertThat(calm.getInt("summary.agree")).isZero();
            assertThat(calm.getInt("summary.disagree")).isEqualTo(1);
            assertThat(calm.getInt("summary.uncertain")).isEqualTo(1);
            assertThat(calm.getInt("summary.reviewers")).isEqualTo(2);

            // On the worklist: counted; the flagged study is reviewed only once its flagged series is answered (the browser
            // test does that, in whichever order the two run).
            boolean flaggedSeriesAnswered = !get("clinician", "/api/v1/series/" + EchoFixtures.FLAGGED_SERIES + "/feedback")
                    .response().jsonPath().getList("history").isEmpty();
            JsonPath worklist = get("clinician", "/api/v1/studies").response().jsonPath();
            String row = "find { it.studyInstanceUid == '" + FLAGGED_STUDY + "' }.feedback";
            assertThat(worklist.getInt(row + ".disagree")).isGreaterThanOrEqualTo(1);
            assertThat(worklist.getInt(row + ".uncertain")).isGreaterThanOrEqualTo(1);
            assertThat(worklist.getInt(row + ".reviewers")).isGreaterThanOrEqualTo(2);
            assertThat(worklist.getBoolean(row + ".awaitingReview")).isEqualTo(!flaggedSeriesAnswered);
            assertThat(get("clinician", "/api/v1/studies?flagged=true&reviewed=false").response().jsonPath().getList("studyInstanceUid")
                    .contains(FLAGGED_STUDY)).isEqualTo(!flaggedSeriesAnswered);
        } finally {
            root.removeHandler(capture);
        }
        assertThat(logged).as("log lines while answering").anyMatch(l -> l.contains("feedback"))
                .noneMatch(l -> l.contains("apical hypokinesis") || l.contains("Mrs Fixture"));
    }
}
