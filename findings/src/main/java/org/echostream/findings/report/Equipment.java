package org.echostream.findings.report;

/**
 * Who made the documents: the General Equipment module and the device observer of the SR's observer context.
 *
 * @param manufacturer     Manufacturer, and the device observer's manufacturer
 * @param modelName        Manufacturer's Model Name, and the device observer's model name
 * @param softwareVersion  Software Versions (the echostream build)
 * @param deviceName       Device Observer Name, and Station Name
 * @param deviceObserverUid identifies this installation as an observer across all its reports
 */
public record Equipment(String manufacturer, String modelName, String softwareVersion, String deviceName, String deviceObserverUid) {
}
