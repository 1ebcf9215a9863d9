package org.echostream.dicom.net;

/** The PDU type bytes of the DICOM upper layer (PS3.8 section 9.3), shared by both sides of an association. */
final class PduType {

    static final int A_ASSOCIATE_RQ = 0x01;
    static final int A_ASSOCIATE_AC = 0x02;
    static final int A_ASSOCIATE_RJ = 0x03;
    static final int P_DATA_TF = 0x04;
    static final int A_RELEASE_RQ = 0x05;
    static final int A_RELEASE_RP = 0x06;
    static final int A_ABORT = 0x07;

    private PduType() {
    }
}
