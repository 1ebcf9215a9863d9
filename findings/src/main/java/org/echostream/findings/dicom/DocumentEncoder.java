package org.echostream.findings.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.FloatDoubleAttribute;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.ShortTextAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnlimitedTextAttribute;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.echostream.findings.report.Code;
import org.echostream.findings.report.Codes;
import org.echostream.findings.report.ContentItem;
import org.echostream.findings.report.DocumentKind;
import org.echostream.findings.report.ImageRef;
import org.echostream.findings.report.PatientStudy;
import org.echostream.findings.report.SrDocument;

/**
 * Writes an {@link SrDocument} as a DICOM object with PixelMed's attribute classes: Patient, General Study, SR
 * Document Series or Key Object Document Series, General Equipment, SR Document General or Key Object Document,
 * SR Document Content and SOP Common modules. The output depends only on the document, so encoding the same
 * result twice gives the same bytes.
 */
public final class DocumentEncoder {

    /** UTF-8: patient names arrive in any script, and one character set for every document keeps the encoder simple. */
    private static final String CHARACTER_SET = "ISO_IR 192";
    private static final SpecificCharacterSet UTF8 = new SpecificCharacterSet(new String[] {CHARACTER_SET});
    private static final String SOURCE_AE = "ECHOSTREAM";
    private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss.SSS");

    public EncodedDocument encode(SrDocument document) {
        try {
            AttributeList list = attributes(document);
            byte[] explicit = dataSet(list, EncodedDocument.EXPLICIT_VR_LITTLE_ENDIAN);
            byte[] implicit = dataSet(list, EncodedDocument.IMPLICIT_VR_LITTLE_ENDIAN);
            FileMetaInformation.addFileMetaInformation(list, EncodedDocument.EXPLICIT_VR_LITTLE_ENDIAN, SOURCE_AE);
            ByteArrayOutputStream file = new ByteArrayOutputStream(explicit.length + 512);
            list.write(file, EncodedDocument.EXPLICIT_VR_LITTLE_ENDIAN, true, true);
            return new EncodedDocument(document.kind().sopClassUid(), document.sopInstanceUid(), file.toByteArray(), explicit, implicit);
        } catch (DicomException | IOException e) {
            throw new IllegalStateException(document + ": cannot be encoded (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] dataSet(AttributeList list, String transferSyntax) throws IOException, DicomException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        DicomOutputStream dicom = new DicomOutputStream(out, null, transferSyntax);
        list.write(dicom);
        dicom.close();
        return out.toByteArray();
    }

    AttributeList attributes(SrDocument d) throws DicomException {
        AttributeList list = new AttributeList();
        ZonedDateTime when = d.contentTime().atZone(ZoneOffset.UTC);
        String date = DA.format(when);
        String time = TM.format(when);
        // SOP Common
        cs(list, TagFromName.SpecificCharacterSet, CHARACTER_SET);
        ui(list, TagFromName.SOPClassUID, d.kind().sopClassUid());
        ui(list, TagFromName.SOPInstanceUID, d.sopInstanceUid());
        da(list, TagFromName.InstanceCreationDate, date);
        tm(list, TagFromName.InstanceCreationTime, time);
        sh(list, TagFromName.TimezoneOffsetFromUTC, "+0000");
        if (d.usesPrivateCodes()) {
            list.put(codingSchemes());
        }
        // Patient and General Study: the values of the source study, so the PACS files the document with it
        PatientStudy p = d.patientStudy();
        pn(list, TagFromName.PatientName, p.patientName());
        lo(list, TagFromName.PatientID, p.patientId());
        da(list, TagFromName.PatientBirthDate, p.patientBirthDate());
        cs(list, TagFromName.PatientSex, p.patientSex());
        ui(list, TagFromName.StudyInstanceUID, p.studyInstanceUid());
        da(list, TagFromName.StudyDate, p.studyDate());
        tm(list, TagFromName.StudyTime, p.studyTime());
        pn(list, TagFromName.ReferringPhysicianName, "");
        sh(list, TagFromName.StudyID, "");
        sh(list, TagFromName.AccessionNumber, p.accessionNumber());
        if (!p.studyDescription().isEmpty()) {
            lo(list, TagFromName.StudyDescription, p.studyDescription());
        }
        // SR Document Series / Key Object Document Series
        cs(list, TagFromName.Modality, d.kind().modality());
        ui(list, TagFromName.SeriesInstanceUID, d.seriesInstanceUid());
        is(list, TagFromName.SeriesNumber, d.seriesNumber());
        lo(list, TagFromName.SeriesDescription, d.seriesDescription());
        list.put(new SequenceAttribute(TagFromName.ReferencedPerformedProcedureStepSequence));
        // General Equipment
        lo(list, TagFromName.Manufacturer, d.equipment().manufacturer());
        lo(list, TagFromName.ManufacturerModelName, d.equipment().modelName());
        lo(list, TagFromName.SoftwareVersions, d.equipment().softwareVersion());
        // SR Document General / Key Object Document
        is(list, TagFromName.InstanceNumber, d.instanceNumber());
        da(list, TagFromName.ContentDate, date);
        tm(list, TagFromName.ContentTime, time);
        list.put(hierarchy(TagFromName.CurrentRequestedProcedureEvidenceSequence, p.studyInstanceUid(), d.evidence()));
        if (d.kind() == DocumentKind.COMPREHENSIVE_SR) {
            cs(list, TagFromName.CompletionFlag, "COMPLETE");
            cs(list, TagFromName.VerificationFlag, "UNVERIFIED");
            list.put(new SequenceAttribute(TagFromName.PerformedProcedureCodeSequence));
            d.predecessor().ifPresent(ref -> list.put(hierarchy(TagFromName.PredecessorDocumentsSequence, p.studyInstanceUid(),
                    List.of(ImageRef.whole(ref.seriesInstanceUid(), ref.sopClassUid(), ref.sopInstanceUid())))));
        }
        // SR Document Content: the root container
        cs(list, TagFromName.ValueType, "CONTAINER");
        list.put(codeSequence(TagFromName.ConceptNameCodeSequence, d.title()));
        cs(list, TagFromName.ContinuityOfContent, "SEPARATE");
        AttributeList template = new AttributeList();
        cs(template, TagFromName.MappingResource, "DCMR");
        cs(template, TagFromName.TemplateIdentifier, d.kind().templateId());
        list.put(sequence(TagFromName.ContentTemplateSequence, template));
        list.put(contentSequence(d.content()));
        return list;
    }

    private static SequenceAttribute contentSequence(List<? extends ContentItem> items) throws DicomException {
        SequenceAttribute seq = new SequenceAttribute(TagFromName.ContentSequence);
        for (ContentItem item : items) {
            seq.addItem(contentItem(item));
        }
        return seq;
    }

    private static AttributeList contentItem(ContentItem item) throws DicomException {
        AttributeList a = new AttributeList();
        cs(a, TagFromName.RelationshipType, item.relationship().term());
        if (item instanceof ContentItem.Container c) {
            cs(a, TagFromName.ValueType, "CONTAINER");
            a.put(codeSequence(TagFromName.ConceptNameCodeSequence, c.concept()));
            cs(a, TagFromName.ContinuityOfContent, "SEPARATE");
            if (!c.children().isEmpty()) {
                a.put(contentSequence(c.children()));
            }
        } else if (item instanceof ContentItem.CodeItem c) {
            cs(a, TagFromName.ValueType, "CODE");
            a.put(codeSequence(TagFromName.ConceptNameCodeSequence, c.concept()));
            a.put(codeSequence(TagFromName.ConceptCodeSequence, c.value()));
        } else if (item instanceof ContentItem.Num n) {
            cs(a, TagFromName.ValueType, "NUM");
            a.put(codeSequence(TagFromName.ConceptNameCodeSequence, n.concept()));
            AttributeList measured = new AttributeList();
            Attribute ds = new DecimalStringAttribute(TagFromName.NumericValue);
            ds.addValue(DecimalString.of(n.value()));
            measured.put(ds);
            // Numeric Value is a 16-character decimal string; the double itself travels beside it, as PS3.3 allows
            Attribute fd = new FloatDoubleAttribute(TagFromName.FloatingPointValue);
            fd.addValue(n.value());
            measured.put(fd);
            measured.put(codeSequence(TagFromName.MeasurementUnitsCodeSequence, n.unit()));
            a.put(sequence(TagFromName.MeasuredValueSequence, measured));
        } else if (item instanceof ContentItem.Text t) {
            cs(a, TagFromName.ValueType, "TEXT");
            a.put(codeSequence(TagFromName.ConceptNameCodeSequence, t.concept()));
            Attribute text = new UnlimitedTextAttribute(TagFromName.TextValue, UTF8);
            text.addValue(t.value());
            a.put(text);
        } else if (item instanceof ContentItem.UidRef u) {
            cs(a, TagFromName.ValueType, "UIDREF");
            a.put(codeSequence(TagFromName.ConceptNameCodeSequence, u.concept()));
            ui(a, TagFromName.UID, u.uid());
        } else if (item instanceof ContentItem.Image i) {
            cs(a, TagFromName.ValueType, "IMAGE");
            a.put(sequence(TagFromName.ReferencedSOPSequence, sopReference(i.image())));
        } else if (item instanceof ContentItem.TimeRange t) {
            cs(a, TagFromName.ValueType, "TCOORD");
            a.put(codeSequence(TagFromName.ConceptNameCodeSequence, t.concept()));
            cs(a, TagFromName.TemporalRangeType, "SEGMENT");
            Attribute offsets = new DecimalStringAttribute(TagFromName.ReferencedTimeOffsets);
            offsets.addValue(DecimalString.of(t.startSeconds()));
            offsets.addValue(DecimalString.of(t.endSeconds()));
            a.put(offsets);
            a.put(contentSequence(t.selectedFrom()));
        } else {
            throw new IllegalArgumentException("no encoding for content item " + item.getClass().getSimpleName());
        }
        return a;
    }

    private static AttributeList sopReference(ImageRef ref) throws DicomException {
        AttributeList r = new AttributeList();
        ui(r, TagFromName.ReferencedSOPClassUID, ref.sopClassUid());
        ui(r, TagFromName.ReferencedSOPInstanceUID, ref.sopInstanceUid());
        if (!ref.frames().isEmpty()) {
            Attribute frames = new IntegerStringAttribute(TagFromName.ReferencedFrameNumber);
            for (int f : ref.frames()) {
                frames.addValue(f);
            }
            r.put(frames);
        }
        return r;
    }

    /** Hierarchical SOP Instance Reference Macro: the study, its series, their instances. */
    private static SequenceAttribute hierarchy(AttributeTag tag, String study, List<ImageRef> refs) {
        try {
            Map<String, SequenceAttribute> bySeries = new LinkedHashMap<>();
            for (ImageRef ref : refs) {
                SequenceAttribute sops = bySeries.computeIfAbsent(ref.seriesInstanceUid(), s -> new SequenceAttribute(TagFromName.ReferencedSOPSequence));
                AttributeList sop = new AttributeList();
                ui(sop, TagFromName.ReferencedSOPClassUID, ref.sopClassUid());
                ui(sop, TagFromName.ReferencedSOPInstanceUID, ref.sopInstanceUid());
                sops.addItem(sop);
            }
            SequenceAttribute series = new SequenceAttribute(TagFromName.ReferencedSeriesSequence);
            for (var entry : bySeries.entrySet()) {
                AttributeList s = new AttributeList();
                ui(s, TagFromName.SeriesInstanceUID, entry.getKey());
                s.put(entry.getValue());
                series.addItem(s);
            }
            AttributeList studyItem = new AttributeList();
            ui(studyItem, TagFromName.StudyInstanceUID, study);
            studyItem.put(series);
            return sequence(tag, studyItem);
        } catch (DicomException e) {
            throw new IllegalStateException("cannot reference the instances of study " + study + ": " + e.getMessage(), e);
        }
    }

    /** The private scheme's description; standard schemes (DCM, SCT, UCUM, RFC5646) need none. */
    private static SequenceAttribute codingSchemes() throws DicomException {
        AttributeList scheme = new AttributeList();
        sh(scheme, TagFromName.CodingSchemeDesignator, Codes.PRIVATE_SCHEME);
        sh(scheme, TagFromName.CodingSchemeVersion, Codes.PRIVATE_SCHEME_VERSION);
        Attribute name = new ShortTextAttribute(TagFromName.CodingSchemeName, UTF8);
        name.addValue(Codes.PRIVATE_SCHEME_NAME);
        scheme.put(name);
        Attribute owner = new ShortTextAttribute(TagFromName.CodingSchemeResponsibleOrganization, UTF8);
        owner.addValue(Codes.PRIVATE_SCHEME_OWNER);
        scheme.put(owner);
        return sequence(TagFromName.CodingSchemeIdentificationSequence, scheme);
    }

    private static SequenceAttribute codeSequence(AttributeTag tag, Code code) throws DicomException {
        AttributeList item = new AttributeList();
        sh(item, TagFromName.CodeValue, code.value());
        sh(item, TagFromName.CodingSchemeDesignator, code.scheme());
        lo(item, TagFromName.CodeMeaning, code.meaning());
        return sequence(tag, item);
    }

    private static SequenceAttribute sequence(AttributeTag tag, AttributeList item) {
        SequenceAttribute seq = new SequenceAttribute(tag);
        seq.addItem(item);
        return seq;
    }

    // Empty strings give zero-length values: the DICOM way of saying "unknown" for Type 2 attributes.

    private static void cs(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new CodeStringAttribute(tag), value);
    }

    private static void ui(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new UniqueIdentifierAttribute(tag), value);
    }

    private static void sh(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new ShortStringAttribute(tag, UTF8), value);
    }

    private static void lo(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new LongStringAttribute(tag, UTF8), value);
    }

    private static void pn(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new PersonNameAttribute(tag, UTF8), value);
    }

    private static void da(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new DateAttribute(tag), value);
    }

    private static void tm(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new TimeAttribute(tag), value);
    }

    private static void is(AttributeList list, AttributeTag tag, int value) throws DicomException {
        Attribute a = new IntegerStringAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    private static void put(AttributeList list, Attribute attribute, String value) throws DicomException {
        if (value != null && !value.isEmpty()) {
            attribute.addValue(value);
        }
        list.put(attribute);
    }
}
