package org.echostream.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.echostream.api.EchoFixtures.FLAGGED_PATIENT;
import static org.echostream.api.EchoFixtures.FLAGGED_SERIES;
import static org.echostream.api.EchoFixtures.FLAGGED_SOP;
import static org.echostream.api.EchoFixtures.FLAGGED_STUDY;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.echostream.contracts.AuditOutcome;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.kafka.Topics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint with and without credentials against the real broker, with the fixture records on the
 * topics before the api started (so the answers come from the rebuild), and the audit record each request
 * produced read back from the audit topic.
 */
@QuarkusTest
@WithTestResource(SeededKafkaResource.class)
class ApiEndpointsIT {

    static String clinicianPassword;
    static String adminPassword;

    @BeforeAll
    static void readGeneratedCredentials() throws IOException {
        Properties p = new Properties();
        try (var in = new FileInputStream(SeededKafkaResource.credentialsFile.toFile())) {
            p.load(in);
        }
        clinicianPassword = p.getProperty("clinician.password");
        adminPassword = p.getProperty("admin.password");
    }

    record Call(Response response, String requestId) {
    }

    static Call call(String user, String method, String path, RequestSpecification spec) {
        String requestId = AuditLog.newRequestId();
        RequestSpecification request = spec.header("X-Request-Id", requestId);
        if (user != null) {
            request = request.auth().preemptive().basic(user, user.equals("admin") ? adminPassword : clinicianPassword);
        }
        Response response = method.equals("POST") ? request.post(path) : request.get(path);
        return new Call(response, requestId);
    }

    static Call get(String user, String path) {
        return call(user, "GET", path, given());
    }

    static AuditRecord audited(Call call, AuditOutcome outcome, String principal, String resourceType, String resourceId) {
        AuditRecord record = AuditLog.forRequest(call.requestId());
        assertThat(record.getOutcome()).isEqualTo(outcome);
        assertThat(record.getPrincipal()).isEqualTo(principal);
        assertThat(record.getHttpStatus()).isEqualTo(call.response().statusCode());
        assertThat(record.getResourceType()).isEqualTo(resourceType);
        assertThat(record.getResourceId()).isEqualTo(resourceId);
        assertThat(record.getClientAddress()).isEqualTo("127.0.0.1");
        return record;
    }

    static void deniedWithoutPatientData(Call call, int status, String principal, String resourceType, String resourceId) {
        assertThat(call.response().statusCode()).isEqualTo(status);
        assertThat(call.response().asString()).doesNotContain("Fixture^").doesNotContain("SIM-10");
        audited(call, AuditOutcome.DENIED, principal, resourceType, resourceId);
    }

    @Test
    void worklist_without_credentials_is_401_without_patient_data_and_audited_as_denied() {
        deniedWithoutPatientData(get(null, "/api/v1/studies"), 401, "anonymous", "study-list", null);
    }

    @Test
    void worklist_with_a_wrong_password_is_401_and_audited_as_anonymous_with_the_name_it_tried() {
        Call call = call(null, "GET", "/api/v1/studies", given().auth().preemptive().basic("clinician", "not-the-password"));
        deniedWithoutPatientData(call, 401, "anonymous", "study-list", null);
        assertThat(AuditLog.forRequest(call.requestId()).getAttemptedUser()).isEqualTo("clinician");
    }

    @Test
    void a_failed_form_sign_in_is_audited_as_denied_with_the_name_it_tried_and_a_good_one_by_name() {
        Call failed = call(null, "POST", "/j_security_check", given().redirects().follow(false)
                .contentType("application/x-www-form-urlencoded").formParam("j_username", "dr.nobody").formParam("j_password", "guess"));
        AuditRecord denied = AuditLog.forRequest(failed.requestId());
        assertThat(denied.getOutcome()).isEqualTo(AuditOutcome.DENIED);
        assertThat(denied.getPrincipal()).isEqualTo("anonymous");
        assertThat(denied.getAttemptedUser()).isEqualTo("dr.nobody");
        assertThat(denied.getResourceType()).isEqualTo("sign-in");

        Call good = call(null, "POST", "/j_security_check", given().redirects().follow(false)
                .contentType("application/x-www-form-urlencoded").formParam("j_username", "clinician").formParam("j_password", clinicianPassword));
        AuditRecord allowed = AuditLog.forRequest(good.requestId());
        assertThat(allowed.getOutcome()).isEqualTo(AuditOutcome.ALLOWED);
        assertThat(allowed.getPrincipal()).isEqualTo("clinician");
        assertThat(allowed.getAttemptedUser()).isNull();
    }

    @Test
    void a_list_query_records_every_study_it_returned() {
        Call call = get("clinician", "/api/v1/studies?flagged=false");
        List<String> returned = call.response().jsonPath().getList("studyInstanceUid");
        assertThat(returned).isNotEmpty().doesNotContain(FLAGGED_STUDY);
        AuditRecord record = audited(call, AuditOutcome.ALLOWED, "clinician", "study-list", null);
        assertThat(record.getStudyInstanceUids()).containsExactlyInAnyOrderElementsOf(returned);

        Call series = get("clinician", "/api/v1/series?flagged=true");
        assertThat(AuditLog.forRequest(series.requestId()).getStudyInstanceUids()).containsExactly(FLAGGED_STUDY);
        Call detail = get("clinician", "/api/v1/studies/" + FLAGGED_STUDY);
        assertThat(AuditLog.forRequest(detail.requestId()).getStudyInstanceUids()).containsExactly(FLAGGED_STUDY);
    }

    @Test
    void worklist_lists_the_flagged_study_first_with_its_patient_and_scores() {
        Call call = get("clinician", "/api/v1/studies");
        assertThat(call.response().statusCode()).isEqualTo(200);
        List<Map<String, Object>> rows = call.response().jsonPath().getList("$");
        assertThat(rows.get(0)).containsEntry("studyInstanceUid", FLAGGED_STUDY).containsEntry("flagged", true)
                .containsEntry("maxScore", 0.91f).containsEntry("status", "SCORED");
        assertThat(call.response().jsonPath().getString("[0].patient.patientName")).isEqualTo(FLAGGED_PATIENT);
        AuditRecord record = audited(call, AuditOutcome.ALLOWED, "clinician", "study-list", null);
        assertThat(record.getRoles()).containsExactly("clinician");
        assertThat(record.getAction()).isEqualTo("GET /api/v1/studies");
    }

    @Test
    void worklist_filters_by_flag_status_date_and_text() {
        assertThat(get("clinician", "/api/v1/studies?flagged=true").response().jsonPath().getList("studyInstanceUid"))
                .containsExactly(FLAGGED_STUDY);
        assertThat(get("clinician", "/api/v1/studies?status=IN_PROGRESS").response().jsonPath().getList("studyInstanceUid"))
                .containsExactly(EchoFixtures.PENDING_STUDY);
        assertThat(get("clinician", "/api/v1/studies?status=NOT_SCORED").response().jsonPath().getList("studyInstanceUid"))
                .containsExactly(EchoFixtures.UNSCORED_STUDY);
        assertThat(get("clinician", "/api/v1/studies?from=2026-11-18&to=2026-11-19").response().jsonPath().getList("studyInstanceUid"))
                .containsExactlyInAnyOrder(EchoFixtures.NORMAL_STUDY, EchoFixtures.PENDING_STUDY);
        assertThat(get("clinician", "/api/v1/studies?q=normal").response().jsonPath().getList("studyInstanceUid"))
                .containsExactly(EchoFixtures.NORMAL_STUDY);
    }

    @Test
    void worklist_refuses_a_malformed_date_with_a_reason() {
        Call call = get("clinician", "/api/v1/studies?from=21.11.2026");
        assertThat(call.response().statusCode()).isEqualTo(400);
        assertThat(call.response().jsonPath().getString("error")).contains("from must be a date as YYYY-MM-DD");
        audited(call, AuditOutcome.ALLOWED, "clinician", "study-list", null);
    }

    @Test
    void study_detail_has_patient_series_and_scores() {
        Call call = get("clinician", "/api/v1/studies/" + FLAGGED_STUDY);
        assertThat(call.response().statusCode()).isEqualTo(200);
        assertThat(call.response().jsonPath().getString("patient.patientName")).isEqualTo(FLAGGED_PATIENT);
        assertThat(call.response().jsonPath().getList("series.seriesInstanceUid"))
                .containsExactlyInAnyOrder(FLAGGED_SERIES, EchoFixtures.CALM_SERIES_OF_FLAGGED_STUDY);
        assertThat(call.response().jsonPath().getBoolean("flagged")).isTrue();
        assertThat(call.response().jsonPath().getString("completeness.state")).isEqualTo("FINAL");
        assertThat(get("clinician", "/api/v1/studies/" + EchoFixtures.PENDING_STUDY).response().jsonPath().getString("completeness.state"))
                .isEqualTo("PROVISIONAL");
        audited(call, AuditOutcome.ALLOWED, "clinician", "study", FLAGGED_STUDY);
        deniedWithoutPatientData(get(null, "/api/v1/studies/" + FLAGGED_STUDY), 401, "anonymous", "study", FLAGGED_STUDY);
        Call missing = get("clinician", "/api/v1/studies/1.2.3.999");
        assertThat(missing.response().statusCode()).isEqualTo(404);
        audited(missing, AuditOutcome.ALLOWED, "clinician", "study", "1.2.3.999");
    }

    @Test
    void series_answers_score_flag_clips_events_and_model_version() {
        Call call = get("clinician", "/api/v1/series/" + FLAGGED_SERIES);
        assertThat(call.response().statusCode()).isEqualTo(200);
        var json = call.response().jsonPath();
        assertThat(json.getDouble("anomalyScore")).isEqualTo(0.91);
        assertThat(json.getBoolean("flagged")).isTrue();
        assertThat(json.getInt("clips")).isEqualTo(5);
        assertThat(json.getInt("events[0].firstFrame")).isEqualTo(48);
        assertThat(json.getInt("events[0].lastFrame")).isEqualTo(95);
        assertThat(json.getDouble("events[0].startSeconds")).isEqualTo(3.75);
        assertThat(json.getDouble("events[0].peakScore")).isEqualTo(6.2);
        assertThat(json.getInt("events[0].region.rowStart")).isEqualTo(2);
        assertThat(json.getInt("events[0].region.sourceWidth")).isEqualTo(206);
        assertThat(json.getString("model.version")).isEqualTo("1.2.3");
        assertThat(json.getString("model.preprocessingVersion")).isEqualTo("prep-1");
        assertThat(call.response().asString()).doesNotContain("Fixture^");
        audited(call, AuditOutcome.ALLOWED, "clinician", "series", FLAGGED_SERIES);
        deniedWithoutPatientData(get(null, "/api/v1/series/" + FLAGGED_SERIES), 401, "anonymous", "series", FLAGGED_SERIES);
    }

    @Test
    void series_list_shows_every_series_with_frames_clips_and_score() {
        Call call = get("clinician", "/api/v1/series");
        assertThat(call.response().statusCode()).isEqualTo(200);
        var json = call.response().jsonPath();
        assertThat(json.getString("[0].seriesInstanceUid")).isEqualTo(FLAGGED_SERIES);
        assertThat(json.getList("seriesInstanceUid")).contains(EchoFixtures.PENDING_SERIES, EchoFixtures.UNSCORED_SERIES);
        assertThat(json.getInt("[0].frames")).isEqualTo(EchoFixtures.CLIPS * 16 + 3);
        audited(call, AuditOutcome.ALLOWED, "clinician", "series-list", null);
        deniedWithoutPatientData(get(null, "/api/v1/series"), 401, "anonymous", "series-list", null);
    }

    @Test
    void timeline_has_one_point_per_scored_clip_and_the_loop_events() {
        Call call = get("clinician", "/api/v1/series/" + FLAGGED_SERIES + "/timeline");
        assertThat(call.response().statusCode()).isEqualTo(200);
        var json = call.response().jsonPath();
        assertThat(json.getList("loops[0].points.clipIndex")).containsExactly(1, 2, 3, 4, 5);
        assertThat(json.getList("loops[0].points.clipScore", Double.class)).containsExactly(0.7, 1.0, 4.6, 6.2, 5.1);
        assertThat(json.getString("loops[0].events[0].eventId")).isEqualTo(FLAGGED_SOP + "/3");
        audited(call, AuditOutcome.ALLOWED, "clinician", "series", FLAGGED_SERIES);
        deniedWithoutPatientData(get(null, "/api/v1/series/" + FLAGGED_SERIES + "/timeline"), 401, "anonymous", "series", FLAGGED_SERIES);
    }

    @Test
    void keyframe_overlays_the_heatmap_where_the_clip_surprised() throws IOException {
        String path = "/api/v1/series/" + FLAGGED_SERIES + "/loops/" + FLAGGED_SOP + "/clips/4/keyframe.png";
        Call call = get("clinician", path);
        assertThat(call.response().statusCode()).isEqualTo(200);
        assertThat(call.response().contentType()).isEqualTo("image/png");
        assertThat(call.response().header("Cache-Control")).contains("no-store");
        BufferedImage overlaid = ImageIO.read(new ByteArrayInputStream(call.response().asByteArray()));
        assertThat(overlaid.getWidth()).isEqualTo(336);
        // Token row 3, column 2 is the fixture's hot spot: coloured. Row 0, column 6 is outside the fan and calm: grey.
        assertThat(isColoured(overlaid.getRGB(2 * 48 + 24, 3 * 48 + 24))).isTrue();
        assertThat(isColoured(overlaid.getRGB(6 * 48 + 24, 24))).isFalse();
        BufferedImage plain = ImageIO.read(new ByteArrayInputStream(get("clinician", path + "?overlay=false").response().asByteArray()));
        assertThat(isColoured(plain.getRGB(2 * 48 + 24, 3 * 48 + 24))).isFalse();
        audited(call, AuditOutcome.ALLOWED, "clinician", "series", FLAGGED_SERIES);
        deniedWithoutPatientData(get(null, path), 401, "anonymous", "series", FLAGGED_SERIES);
        assertThat(get("clinician", "/api/v1/series/" + FLAGGED_SERIES + "/loops/" + FLAGGED_SOP + "/clips/99/keyframe.png")
                .response().statusCode()).isEqualTo(404);
    }

    @Test
    void cine_gives_the_sprite_layout_and_the_sprite() throws IOException {
        String base = "/api/v1/series/" + FLAGGED_SERIES + "/loops/" + FLAGGED_SOP;
        Call layout = get("clinician", base + "/cine");
        assertThat(layout.response().statusCode()).isEqualTo(200);
        assertThat(layout.response().jsonPath().getList("layout.frameIndices")).hasSize(EchoFixtures.CLIPS * 16);
        assertThat(layout.response().jsonPath().getDouble("layout.fps")).isEqualTo(12.8);
        Call sprite = get("clinician", base + "/cine.png");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(sprite.response().asByteArray()));
        assertThat(image.getWidth()).isEqualTo(8 * 112);
        assertThat(image.getHeight()).isEqualTo(12 * 112);
        audited(sprite, AuditOutcome.ALLOWED, "clinician", "series", FLAGGED_SERIES);
        deniedWithoutPatientData(get(null, base + "/cine.png"), 401, "anonymous", "series", FLAGGED_SERIES);
    }

    @Test
    void similar_studies_rank_the_alike_study_first_without_other_patients_names() {
        Call call = get("clinician", "/api/v1/studies/" + FLAGGED_STUDY + "/similar?limit=3");
        assertThat(call.response().statusCode()).isEqualTo(200);
        var json = call.response().jsonPath();
        assertThat(json.getList("neighbours.studyInstanceUid")).startsWith(EchoFixtures.NORMAL_STUDY, EchoFixtures.PENDING_STUDY);
        assertThat(json.getDouble("neighbours[0].similarity")).isGreaterThan(json.getDouble("neighbours[1].similarity"));
        assertThat(json.getString("modelVersion")).isEqualTo("1.2.3");
        assertThat(call.response().asString()).doesNotContain("Fixture^");
        audited(call, AuditOutcome.ALLOWED, "clinician", "study", FLAGGED_STUDY);
        deniedWithoutPatientData(get(null, "/api/v1/studies/" + FLAGGED_STUDY + "/similar"), 401, "anonymous", "study", FLAGGED_STUDY);
        assertThat(get("clinician", "/api/v1/studies/" + FLAGGED_STUDY + "/similar?limit=0").response().statusCode()).isEqualTo(400);
    }

    @Test
    void events_list_the_fixture_event_with_region_and_model() {
        Call call = get("clinician", "/api/v1/events");
        assertThat(call.response().statusCode()).isEqualTo(200);
        assertThat(call.response().jsonPath().getList("eventId")).contains(FLAGGED_SOP + "/3");
        audited(call, AuditOutcome.ALLOWED, "clinician", "events", null);
        deniedWithoutPatientData(get(null, "/api/v1/events"), 401, "anonymous", "events", null);
    }

    @Test
    void jobs_are_for_admins_a_clinician_gets_403_audited_with_the_name() {
        deniedWithoutPatientData(get("clinician", "/api/v1/jobs"), 403, "clinician", "job-list", null);
        deniedWithoutPatientData(get(null, "/api/v1/jobs"), 401, "anonymous", "job-list", null);
        Call list = get("admin", "/api/v1/jobs/" + EchoFixtures.JOB_ID);
        assertThat(list.response().statusCode()).isEqualTo(200);
        assertThat(list.response().jsonPath().getString("state")).isEqualTo("RUNNING");
        assertThat(list.response().jsonPath().getLong("ingested")).isEqualTo(12);
        assertThat(list.response().jsonPath().getDouble("etaSeconds")).isEqualTo(10.4);
        AuditRecord record = audited(list, AuditOutcome.ALLOWED, "admin", "job", EchoFixtures.JOB_ID);
        assertThat(record.getRoles()).containsExactly("admin", "clinician");
    }

    @Test
    void an_admin_submits_an_import_which_lands_on_the_job_commands_topic_and_in_the_list() throws InterruptedException {
        Call submit = call("admin", "POST", "/api/v1/jobs",
                given().contentType("application/json").body("{\"kind\":\"IMPORT_FOLDER\",\"paths\":[\"/archive/2019\",\"/archive/2020\"]}"));
        assertThat(submit.response().statusCode()).isEqualTo(202);
        String jobId = submit.response().jsonPath().getString("jobId");
        assertThat(submit.response().header("Location")).endsWith("/api/v1/jobs/" + jobId);
        JobCommand command = AuditLog.await(Topics.JOB_COMMANDS, c -> c.getJobId().equals(jobId), "job command " + jobId);
        assertThat(command.getPaths()).containsExactly("/archive/2019", "/archive/2020");
        assertThat(command.getRequestedBy()).isEqualTo("admin");
        audited(submit, AuditOutcome.ALLOWED, "admin", "job", null);
        String state = AuditLog.eventually("job " + jobId + " listed", () -> {
            Response r = get("admin", "/api/v1/jobs").response();
            List<String> ids = r.jsonPath().getList("jobId");
            return ids.contains(jobId) ? java.util.Optional.of(r.jsonPath().getString("find { it.jobId == '" + jobId + "' }.state"))
                    : java.util.Optional.empty();
        });
        assertThat(state).isEqualTo("SUBMITTED");
    }

    @Test
    void an_admin_submits_a_backfill_whose_query_lands_in_the_job_command_and_a_bad_query_gets_400() throws InterruptedException {
        Call submit = call("admin", "POST", "/api/v1/jobs", given().contentType("application/json")
                .body("{\"kind\":\"BACKFILL\",\"parameters\":{\"node\":\"hospital\",\"studyDateFrom\":\"2024-01-01\",\"studyDateTo\":\"2024-01-31\"}}"));
        assertThat(submit.response().statusCode()).isEqualTo(202);
        String jobId = submit.response().jsonPath().getString("jobId");
        JobCommand command = AuditLog.await(Topics.JOB_COMMANDS, c -> c.getJobId().equals(jobId), "job command " + jobId);
        assertThat(command.getKind()).isEqualTo("BACKFILL");
        assertThat(command.getParameters()).containsEntry("node", "hospital").containsEntry("studyDateFrom", "2024-01-01")
                .containsEntry("studyDateTo", "2024-01-31");
        audited(submit, AuditOutcome.ALLOWED, "admin", "job", null);

        Call bad = call("admin", "POST", "/api/v1/jobs",
                given().contentType("application/json").body("{\"kind\":\"BACKFILL\",\"parameters\":{\"node\":\"hospital\"}}"));
        assertThat(bad.response().statusCode()).isEqualTo(400);
        assertThat(bad.response().jsonPath().getString("error")).contains("would pull the whole archive");
    }

    @Test
    void an_import_with_a_relative_path_is_refused_with_the_reason_and_nothing_is_submitted() {
        Call call = call("admin", "POST", "/api/v1/jobs",
                given().contentType("application/json").body("{\"kind\":\"IMPORT_FOLDER\",\"paths\":[\"archive/../etc\"]}"));
        assertThat(call.response().statusCode()).isEqualTo(400);
        assertThat(call.response().jsonPath().getString("error")).contains("paths[0]").contains("relative");
        Call form = call("admin", "POST", "/api/v1/jobs", given().contentType("application/x-www-form-urlencoded").body("paths=/x"));
        assertThat(form.response().statusCode()).isEqualTo(415);
        deniedWithoutPatientData(call("clinician", "POST", "/api/v1/jobs",
                given().contentType("application/json").body("{\"kind\":\"IMPORT_FOLDER\",\"paths\":[\"/archive\"]}")), 403, "clinician", "job", null);
    }

    @Test
    void session_names_the_user_and_the_public_auth_route_says_local_without_audit() {
        Call session = get("admin", "/api/v1/session");
        assertThat(session.response().jsonPath().getString("user")).isEqualTo("admin");
        audited(session, AuditOutcome.ALLOWED, "admin", "session", null);
        assertThat(get(null, "/api/v1/auth").response().jsonPath().getString("mode")).isEqualTo("local");
    }

    @Test
    void an_unknown_route_is_audited_without_copying_the_path() {
        Call call = get(null, "/api/v1/patients/Doe%5EJohn");
        assertThat(call.response().statusCode()).isEqualTo(401);
        AuditRecord record = audited(call, AuditOutcome.DENIED, "anonymous", "unknown", null);
        assertThat(record.getAction()).doesNotContain("Doe");
    }

    private static boolean isColoured(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return Math.abs(r - g) > 12 || Math.abs(g - b) > 12;
    }
}
