package org.echostream.contracts.jobs;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The query of a {@code BACKFILL} job as it travels in {@code JobCommand.parameters}: the api checks a request
 * with {@link #parse}, ingest parses the command again before it runs it, so both read the same keys the same
 * way. Values are strings; a list is joined with {@code \}, DICOM's value separator, which cannot occur in a
 * Patient ID or an Accession Number.
 *
 * <p>What matches: studies on {@code node} whose Study Date lies in the range (both ends inclusive) and whose
 * modalities include US; with patient IDs or accession numbers, only studies of those (one query per value,
 * the date range still applies when given). A query needs a date range or a list: an unbounded query would
 * pull a hospital's whole archive by accident.
 *
 * @param node             the configured PACS node to query (ingest's {@code echostream.pacs.nodes.<name>})
 * @param studyDateFrom    first Study Date, or null for open-ended
 * @param studyDateTo      last Study Date, or null for open-ended
 * @param patientIds       exact Patient IDs (no wildcards), possibly empty
 * @param accessionNumbers exact Accession Numbers (no wildcards), possibly empty
 */
public record BackfillParameters(String node, LocalDate studyDateFrom, LocalDate studyDateTo, List<String> patientIds,
                                 List<String> accessionNumbers) {

    public static final String KIND = "BACKFILL";
    public static final String NODE = "node";
    public static final String STUDY_DATE_FROM = "studyDateFrom";
    public static final String STUDY_DATE_TO = "studyDateTo";
    public static final String MODALITY = "modality";
    public static final String PATIENT_IDS = "patientIds";
    public static final String ACCESSION_NUMBERS = "accessionNumbers";
    /** The only modality a backfill retrieves: echocardiography is ultrasound. */
    public static final String US = "US";
    /** Most patient IDs plus accession numbers in one job: each is one C-FIND or QIDO query. */
    public static final int MAX_IDENTIFIERS = 1000;
    public static final String SEPARATOR = "\\";

    private static final Set<String> KEYS = Set.of(NODE, STUDY_DATE_FROM, STUDY_DATE_TO, MODALITY, PATIENT_IDS, ACCESSION_NUMBERS);
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    /** LO/SH: at most 64 characters; no control characters, no DICOM wildcards (an exact value, never a pattern). */
    private static final Pattern IDENTIFIER = Pattern.compile("[\\x20-\\x7E&&[^*?\\\\]]{1,64}");

    public BackfillParameters {
        patientIds = List.copyOf(patientIds);
        accessionNumbers = List.copyOf(accessionNumbers);
    }

    /** A parameter map read: the query, or why it can never be right. */
    public sealed interface Parsed {
        record Valid(BackfillParameters query) implements Parsed {
        }

        record Invalid(String reason) implements Parsed {
        }
    }

    public static Parsed parse(Map<String, String> parameters) {
        if (parameters == null) {
            return new Parsed.Invalid("a backfill needs parameters: at least " + NODE + " and a date range or a list of IDs");
        }
        Set<String> unknown = new TreeSet<>(parameters.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            return new Parsed.Invalid("unknown parameter(s) " + printable(String.join(", ", unknown)) + "; known: " + new TreeSet<>(KEYS));
        }
        String node = blankToNull(parameters.get(NODE));
        if (node == null) {
            return new Parsed.Invalid(NODE + " is missing: name the PACS node to query, as configured in ingest");
        }
        if (!NODE_NAME.matcher(node).matches()) {
            return new Parsed.Invalid(NODE + " '" + printable(node) + "' is not a node name (letters, digits, '-' and '_', at most 64)");
        }
        String modality = blankToNull(parameters.get(MODALITY));
        if (modality != null && !modality.equals(US)) {
            return new Parsed.Invalid(MODALITY + " '" + printable(modality) + "': a backfill retrieves echocardiography, modality " + US + " only");
        }
        LocalDate from;
        LocalDate to;
        try {
            from = date(parameters.get(STUDY_DATE_FROM));
            to = date(parameters.get(STUDY_DATE_TO));
        } catch (DateTimeParseException e) {
            return new Parsed.Invalid("a study date must be YYYY-MM-DD, got '" + printable(e.getParsedString()) + "'");
        }
        if (from != null && to != null && from.isAfter(to)) {
            return new Parsed.Invalid(STUDY_DATE_FROM + " " + from + " is after " + STUDY_DATE_TO + " " + to);
        }
        List<String> patients = new ArrayList<>();
        List<String> accessions = new ArrayList<>();
        String problem = identifiers(PATIENT_IDS, parameters.get(PATIENT_IDS), patients);
        if (problem == null) {
            problem = identifiers(ACCESSION_NUMBERS, parameters.get(ACCESSION_NUMBERS), accessions);
        }
        if (problem != null) {
            return new Parsed.Invalid(problem);
        }
        if (patients.size() + accessions.size() > MAX_IDENTIFIERS) {
            return new Parsed.Invalid((patients.size() + accessions.size()) + " patient IDs and accession numbers, at most " + MAX_IDENTIFIERS
                    + " in one job: split it");
        }
        if (from == null && to == null && patients.isEmpty() && accessions.isEmpty()) {
            return new Parsed.Invalid("give a study date range (" + STUDY_DATE_FROM + ", " + STUDY_DATE_TO + ") or " + PATIENT_IDS + " or "
                    + ACCESSION_NUMBERS + ": a query without either would pull the whole archive");
        }
        return new Parsed.Valid(new BackfillParameters(node, from, to, patients, accessions));
    }

    /** The parameter map of this query, as {@link #parse} reads it. */
    public Map<String, String> toParameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(NODE, node);
        p.put(MODALITY, US);
        if (studyDateFrom != null) {
            p.put(STUDY_DATE_FROM, studyDateFrom.toString());
        }
        if (studyDateTo != null) {
            p.put(STUDY_DATE_TO, studyDateTo.toString());
        }
        if (!patientIds.isEmpty()) {
            p.put(PATIENT_IDS, String.join(SEPARATOR, patientIds));
        }
        if (!accessionNumbers.isEmpty()) {
            p.put(ACCESSION_NUMBERS, String.join(SEPARATOR, accessionNumbers));
        }
        return p;
    }

    /** One line for logs and job lists: node, range and how many IDs, never the IDs themselves (they identify patients). */
    public String describe() {
        String range = (studyDateFrom == null ? "…" : studyDateFrom.toString()) + " to " + (studyDateTo == null ? "…" : studyDateTo.toString());
        return "node " + node + ", US studies dated " + range
                + (patientIds.isEmpty() ? "" : ", " + patientIds.size() + " patient ID(s)")
                + (accessionNumbers.isEmpty() ? "" : ", " + accessionNumbers.size() + " accession number(s)");
    }

    private static String identifiers(String key, String joined, List<String> out) {
        if (joined == null || joined.isEmpty()) {
            return null;
        }
        String[] values = joined.split(Pattern.quote(SEPARATOR), -1);
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < values.length; i++) {
            String v = values[i].strip();
            if (!IDENTIFIER.matcher(v).matches()) {
                return key + "[" + i + "] is not an exact ID: 1 to 64 printable characters without '*', '?' or '\\'";
            }
            if (seen.add(v)) {
                out.add(v);
            }
        }
        return null;
    }

    private static LocalDate date(String value) {
        String v = blankToNull(value);
        return v == null ? null : LocalDate.parse(v);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
    }
}
