package org.echostream.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StudyEmbeddingsTest {

    @Test
    void ranks_by_cosine_of_the_mean_clip_embedding() {
        StudyEmbeddings e = new StudyEmbeddings();
        e.add("q", "m@1", "c1", List.of(1f, 0f, 0f));
        e.add("q", "m@1", "c2", List.of(1f, 0.2f, 0f));
        e.add("near", "m@1", "c1", List.of(2f, 0.1f, 0f));
        e.add("far", "m@1", "c1", List.of(0f, 0f, 1f));
        e.add("opposite", "m@1", "c1", List.of(-1f, 0f, 0f));
        var result = e.nearest("q", 3).orElseThrow();
        assertThat(result.neighbours()).extracting(StudyEmbeddings.Neighbour::study).containsExactly("near", "far", "opposite");
        assertThat(result.neighbours().get(0).similarity()).isGreaterThan(0.99);
        assertThat(result.neighbours().get(2).similarity()).isLessThan(-0.99);
        assertThat(result.candidates()).isEqualTo(3);
    }

    @Test
    void compares_only_studies_of_the_same_model() {
        StudyEmbeddings e = new StudyEmbeddings();
        e.add("q", "m@1", "c1", List.of(1f, 0f));
        e.add("other-model", "m@2", "c1", List.of(1f, 0f));
        assertThat(e.nearest("q", 5).orElseThrow().neighbours()).isEmpty();
    }

    @Test
    void a_replayed_clip_counts_once_and_bad_vectors_are_refused() {
        StudyEmbeddings e = new StudyEmbeddings();
        assertThat(e.add("q", "m@1", "c1", List.of(1f, 0f))).isInstanceOf(Applied.Stored.class);
        assertThat(e.add("q", "m@1", "c1", List.of(1f, 0f))).isInstanceOf(Applied.Ignored.class);
        assertThat(e.clips("q")).isEqualTo(1);
        assertThat(e.add("q", "m@1", "c2", List.of(Float.NaN, 0f))).isInstanceOf(Applied.Invalid.class);
        assertThat(e.add("q", "m@1", "c3", List.of(1f, 0f, 0f))).isInstanceOf(Applied.Invalid.class);
        assertThat(e.add("q", "m@1", "c4", List.of())).isInstanceOf(Applied.Invalid.class);
    }
}
