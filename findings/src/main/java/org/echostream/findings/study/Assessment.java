package org.echostream.findings.study;

/** Whether a study's findings can be reported now. */
public sealed interface Assessment {

    /** FINAL, every scored series closed, quiet for the settle window: the SR can be built. */
    record Ready(StudyResult result) implements Assessment {
    }

    /** Not yet: the reason names what is missing (the study may still change). */
    record Waiting(String reason) implements Assessment {
    }

    /** Complete, but something changed less than the settle window ago: ask again at {@code until}. */
    record Settling(java.time.Instant until) implements Assessment {
    }

    /** FINAL but nothing to report: no instance of the study was scored. */
    record NothingToReport(String reason) implements Assessment {
    }
}
