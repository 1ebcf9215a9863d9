package org.echostream.api.jobs;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.jobs.BackfillParameters;

/**
 * Turns a batch-job request into a {@code JobCommand}: an {@code IMPORT_FOLDER} of paths, or a {@code BACKFILL}
 * from a PACS node with its query in the parameters. Whether a folder exists, or a node is configured, is ingest's
 * business (it runs on another host, with its own mounts and PACS settings); here only requests that can never be
 * right are refused: no paths, relative paths, paths with {@code .}/{@code ..} segments or control characters; a
 * backfill query that {@link BackfillParameters#parse} refuses (the same check ingest makes).
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
        return submit(kind, paths, Map.of(), requestedBy);
    }

    public JobSubmission submit(String kind, List<String> paths, Map<String, String> parameters, String requestedBy) {
        if (BackfillParameters.KIND.equals(kind)) {
            return backfill(paths, parameters, requestedBy);
        }
        if (kind == null || !kind.equals(IMPORT_FOLDER)) {
            return new JobSubmission.Rejected("kind must be " + IMPORT_FOLDER + " or " + BackfillParameters.KIND + " (the batch jobs ingest "
                    + "carries out), got " + (kind == null ? "nothing" : "'" + printable(kind) + "'"));
        }
        if (parameters != null && !parameters.isEmpty()) {
            return new JobSubmission.Rejected(IMPORT_FOLDER + " takes no parameters, got " + printable(String.join(", ",
                    new java.util.TreeSet<>(parameters.keySet()))) + "; a query belongs to a " + BackfillParameters.KIND + " job");
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

    private JobSubmission backfill(List<String> paths, Map<String, String> parameters, String requestedBy) {
        if (paths != null && !paths.isEmpty()) {
            return new JobSubmission.Rejected(BackfillParameters.KIND + " takes no paths: its query (node, dates, IDs) goes in parameters");
        }
        if (BackfillParameters.parse(parameters) instanceof BackfillParameters.Parsed.Invalid invalid) {
            return new JobSubmission.Rejected(invalid.reason());
        }
        BackfillParameters query = ((BackfillParameters.Parsed.Valid) BackfillParameters.parse(parameters)).query();
        return new JobSubmission.Accepted(JobCommand.newBuilder()
                .setJobId(jobIds.get())
                .setKind(BackfillParameters.KIND)
                .setPaths(List.of())
                .setParameters(query.toParameters())
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
