package org.echostream.findings.report;

import java.util.List;

/**
 * One node of an SR content tree below the root (PS3.3 C.17.3): its relationship with its parent, its value
 * type and value, and its children. The encoder turns these into Content Sequence items.
 */
public sealed interface ContentItem {

    Relationship relationship();

    record Container(Relationship relationship, Code concept, List<ContentItem> children) implements ContentItem {
        public Container {
            children = List.copyOf(children);
        }
    }

    record CodeItem(Relationship relationship, Code concept, Code value) implements ContentItem {
    }

    /** A measurement: value in {@code unit}; the encoder writes it as DS (16 characters) and as FD (full precision). */
    record Num(Relationship relationship, Code concept, double value, Code unit) implements ContentItem {
        public Num {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException(concept.meaning() + ": " + value + " is not a finite number");
            }
        }
    }

    record Text(Relationship relationship, Code concept, String value) implements ContentItem {
    }

    record UidRef(Relationship relationship, Code concept, String uid) implements ContentItem {
    }

    /** An IMAGE item; the templates used here give image references no concept name. */
    record Image(Relationship relationship, ImageRef image) implements ContentItem {
    }

    /**
     * A TCOORD item: a time SEGMENT of the images it is SELECTED FROM, as offsets in seconds from the start of
     * each image's frames.
     */
    record TimeRange(Relationship relationship, Code concept, double startSeconds, double endSeconds, List<Image> selectedFrom)
            implements ContentItem {
        public TimeRange {
            selectedFrom = List.copyOf(selectedFrom);
            if (selectedFrom.isEmpty()) {
                throw new IllegalArgumentException(concept.meaning() + ": a time range needs the image it is selected from");
            }
        }
    }
}
