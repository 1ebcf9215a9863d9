package org.echostream.findings.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.echostream.contracts.SeriesSummary;
import org.echostream.findings.study.Assessment;
import org.echostream.findings.study.StudyBook;
import org.echostream.findings.study.StudyResult;
import org.echostream.findings.testing.EchoStudy;
import org.junit.jupiter.api.Test;

class FindingsBuilderTest {

    static final DocumentSettings SETTINGS = new DocumentSettings(9901, 9902,
            new Equipment("echostream", "echostream findings", "0.1.0", "echostream", "2.25.1234"));

    private final EchoStudy echo = new EchoStudy("1.2.826.0.1.3680043.8.498.7");

    static StudyResult resultOf(EchoStudy echo) {
        var book = echo.into(new StudyBook(), EchoStudy.T0);
        return ((Assessment.Ready) book.assess(echo.study, EchoStudy.T0.plusSeconds(60), Duration.ofSeconds(1))).result();
    }

    @Test
    void the_report_references_every_scored_instance_and_no_unscored_one() {
        SrDocument sr = new FindingsBuilder(SETTINGS).build(resultOf(echo), Optional.empty()).report();

        assertThat(sr.evidence()).extracting(ImageRef::sopInstanceUid).containsExactly(echo.a4c + ".1", echo.a4c + ".2", echo.plax + ".1");
        List<ImageRef> library = items(sr.content(), ContentItem.Image.class, i -> true).stream().map(ContentItem.Image::image).toList();
        assertThat(library).extracting(ImageRef::sopInstanceUid).doesNotContain(echo.plax + ".9").contains(echo.plax + ".1");
        assertThat(sr.kind()).isEqualTo(DocumentKind.COMPREHENSIVE_SR);
        assertThat(sr.patientStudy().studyInstanceUid()).isEqualTo(echo.study);
        assertThat(sr.seriesInstanceUid()).isEqualTo(DerivedUids.srSeries(echo.study));
    }

    @Test
    void the_report_holds_each_series_score_flag_model_and_preprocessing() {
        SrDocument sr = new FindingsBuilder(SETTINGS).build(resultOf(echo), Optional.empty()).report();

        List<ContentItem.Num> scores = items(sr.content(), ContentItem.Num.class, n -> n.concept().equals(Codes.ANOMALY_SCORE));
        assertThat(scores).extracting(ContentItem.Num::value).containsExactly(0.91, 0.12);
        List<ContentItem.CodeItem> flags = items(sr.content(), ContentItem.CodeItem.class, c -> c.concept().equals(Codes.ANOMALY_FLAGGED));
        assertThat(flags).extracting(ContentItem.CodeItem::value).containsExactly(Codes.YES, Codes.NO);
        assertThat(items(sr.content(), ContentItem.Text.class, t -> t.concept().equals(Codes.ALGORITHM_VERSION)))
                .extracting(ContentItem.Text::value).containsOnly("0.1.0");
        assertThat(items(sr.content(), ContentItem.Text.class, t -> t.concept().equals(Codes.ALGORITHM_PARAMETERS)))
                .extracting(ContentItem.Text::value).allMatch(v -> v.contains("prep-1") && v.contains("e".repeat(64)) && v.contains("f".repeat(64)));
    }

    @Test
    void each_event_has_its_time_range_selected_from_the_source_frames() {
        SrDocument sr = new FindingsBuilder(SETTINGS).build(resultOf(echo), Optional.empty()).report();

        List<ContentItem.TimeRange> ranges = items(sr.content(), ContentItem.TimeRange.class, t -> true);
        assertThat(ranges).hasSize(2);
        ContentItem.TimeRange first = ranges.get(0);
        assertThat(first.startSeconds()).isEqualTo(0.5);
        assertThat(first.endSeconds()).isEqualTo(1.2);
        ImageRef image = first.selectedFrom().get(0).image();
        assertThat(image.sopInstanceUid()).isEqualTo(echo.a4c + ".1");
        // 33.3 ms frames: 0.5 s is frame index 15 (number 16), 1.2 s index 36 (number 37)
        assertThat(image.frames()).first().isEqualTo(16);
        assertThat(image.frames()).last().isEqualTo(37);
        assertThat(image.frames()).hasSize(22);
    }

    @Test
    void the_key_objects_are_the_flagged_series_instances_with_the_event_frames() {
        SrDocument kos = new FindingsBuilder(SETTINGS).build(resultOf(echo), Optional.empty()).keyImages().orElseThrow();

        List<ImageRef> selected = items(kos.content(), ContentItem.Image.class, i -> true).stream().map(ContentItem.Image::image).toList();
        // only the A4C loop with events; its frames are the union of both events' frames
        assertThat(selected).extracting(ImageRef::sopInstanceUid).containsExactly(echo.a4c + ".1");
        assertThat(selected.get(0).frames()).startsWith(16, 17).endsWith(57, 58).doesNotContain(38, 48);
        assertThat(kos.kind()).isEqualTo(DocumentKind.KEY_OBJECT_SELECTION);
        assertThat(kos.title()).isEqualTo(Codes.OF_INTEREST);
        assertThat(kos.evidence()).extracting(ImageRef::sopInstanceUid).containsExactly(echo.a4c + ".1");
    }

    @Test
    void a_flagged_series_without_events_selects_each_of_its_instances_whole() {
        echo.events.clear();

        SrDocument kos = new FindingsBuilder(SETTINGS).build(resultOf(echo), Optional.empty()).keyImages().orElseThrow();

        List<ImageRef> selected = items(kos.content(), ContentItem.Image.class, i -> true).stream().map(ContentItem.Image::image).toList();
        assertThat(selected).extracting(ImageRef::sopInstanceUid).containsExactly(echo.a4c + ".1", echo.a4c + ".2");
        assertThat(selected).allMatch(r -> r.frames().isEmpty());
    }

    @Test
    void no_key_object_selection_when_no_series_is_flagged() {
        echo.summaries.replaceAll(s -> SeriesSummary.newBuilder(s).setFlagged(false).build());

        assertThat(new FindingsBuilder(SETTINGS).build(resultOf(echo), Optional.empty()).keyImages()).isEmpty();
    }

    @Test
    void uids_derive_from_the_study_and_the_result_version() {
        StudyResult result = resultOf(echo);
        Findings once = new FindingsBuilder(SETTINGS).build(result, Optional.empty());
        Findings again = new FindingsBuilder(SETTINGS).build(resultOf(new EchoStudy(echo.study)), Optional.empty());

        assertThat(again.report().sopInstanceUid()).isEqualTo(once.report().sopInstanceUid())
                .isEqualTo(DerivedUids.srInstance(echo.study, result.resultVersion()));
        assertThat(again.keyImages().orElseThrow().sopInstanceUid()).isEqualTo(once.keyImages().orElseThrow().sopInstanceUid())
                .isNotEqualTo(once.report().sopInstanceUid());
    }

    @Test
    void a_later_version_names_the_one_it_replaces() {
        var predecessor = new SrDocument.DocumentRef(DerivedUids.srSeries(echo.study), DocumentKind.COMPREHENSIVE_SR.sopClassUid(), "2.25.42");

        SrDocument sr = new FindingsBuilder(SETTINGS).build(resultOf(echo), Optional.of(predecessor)).report();

        assertThat(sr.predecessor()).contains(predecessor);
    }

    /** Every item of a type anywhere in the tree, depth first. */
    static <T extends ContentItem> List<T> items(List<? extends ContentItem> tree, Class<T> type, Predicate<T> which) {
        List<T> found = new ArrayList<>();
        for (ContentItem item : tree) {
            if (type.isInstance(item) && which.test(type.cast(item))) {
                found.add(type.cast(item));
            }
            if (item instanceof ContentItem.Container c) {
                found.addAll(items(c.children(), type, which));
            } else if (item instanceof ContentItem.TimeRange t) {
                found.addAll(items(t.selectedFrom(), type, which));
            }
        }
        return found;
    }
}
