package org.echostream.dicom.net.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;

/** Architecture rules every service that speaks DICOM checks on its own classes. */
public final class DicomNetRules {

    /** No sockets of its own: PDUs, associations and DIMSE live once, in dicom-net. */
    public static final ArchRule DICOM_NETWORKING_GOES_THROUGH_DICOM_NET = noClasses().should().dependOnClassesThat()
            .belongToAnyOf(java.net.Socket.class, java.net.ServerSocket.class, javax.net.ssl.SSLSocket.class, javax.net.ssl.SSLServerSocket.class)
            .because("the DICOM upper layer (PDUs, associations, DIMSE, TLS) lives once, in dicom-net: use DicomScp or ScuAssociation "
                    + "there instead of sockets here");

    private DicomNetRules() {
    }
}
