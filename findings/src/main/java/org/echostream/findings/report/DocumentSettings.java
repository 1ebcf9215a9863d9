package org.echostream.findings.report;

/**
 * How the documents are labelled at the PACS.
 *
 * @param srSeriesNumber  Series Number of the SR series (one series per study, every result version in it)
 * @param kosSeriesNumber Series Number of the KOS series
 * @param equipment       the producing device
 */
public record DocumentSettings(int srSeriesNumber, int kosSeriesNumber, Equipment equipment) {
}
