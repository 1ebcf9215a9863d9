package org.echostream.api.jobs;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.echostream.contracts.JobCommand;

/**
 * Turns an import request into a {@code JobCommand}. Whether a folder exists and may be read is ingest's
 * business (it runs on another host, with its own mounts); here only requests that can never be right are
 * refused: no paths, relative paths, paths with {@code .}/{@code ..} segments or control characters.
 */
public final class ImportJobs {

    public static final String IMPORT_FOLDER = "IMPORT_FOLDER";
    /** Linux PATH_MAX: a longer path cannot name a file. */
    private static final int MAX_PATH_LENGTH = 4096;

    private final Clock clock;
    private final Supplier<String> jobIds;
    private final int maxPaths;

    public ImportJobs(Clock clock, int maxPaths) {
        this(clock, () -> "job-" + UUID.randomUUID(), maxPaths);
    }

    public ImportJobs(Clock clock, Supplier<String> jobIds, int maxPaths) {
        this.clock = clock;
        this.jobIds = jobIds;
        this.maxPaths = maxPaths;
    }

    public JobSubmission submit(String kind, List<String> paths, String requestedBy) {
        if (kind == null || !kind.equals(IMPORT_FOLDER)) {
            return new JobSubmission.Rejected("kind must be " + IMPORT_FOLDER + " (the only batch job ingest carries out), got "
                    + (kind == null ? "nothing" : "'" + printable(kind) + "'"));
        }
        if (paths == null || paths.isEmpty()) {
            return new JobSubmission.Rejected("paths is empty: name at least one folder or file on the ingest host");
        }
        if (paths.size() > maxPaths) {
            return new JobSubmission.Rejected(paths.size() + " paths in one job, at most " + maxPaths + ": name their parent folder instead");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            String problem = problem(path);
            if (problem != null) {
                return new JobSubmission.Rejected("paths[" + i + "] " + problem);
            }
            if (!seen.add(path)) {
                return new JobSubmission.Rejected("paths[" + i + "] repeats " + path);
            }
        }
        return new JobSubmission.Accepted(JobCommand.newBuilder()
                .setJobId(jobIds.get())
                .setKind(IMPORT_FOLDER)
                .setPaths(List.copyOf(paths))
                .setParameters(Map.of())
                .setRequestedBy(requestedBy)
                .setRequestedAt(clock.instant())
                .build());
    }

    private static String problem(String path) {
        if (path == null || path.isBlank()) {
            return "is empty";
        }
        if (path.length() > MAX_PATH_LENGTH) {
            return "is " + path.length() + " characters long, more than a path can be (" + MAX_PATH_LENGTH + ")";
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "contains a control character";
        }
        if (!path.startsWith("/")) {
            return "'" + path + "' is relative: give an absolute path on the ingest host";
        }
        for (String segment : path.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return "'" + path + "' has a '" + segment + "' segment: give the folder's plain absolute path";
            }
        }
        return null;
    }

    private static String printable(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
    }
}
