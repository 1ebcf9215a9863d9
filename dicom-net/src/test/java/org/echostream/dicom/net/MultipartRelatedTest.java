package org.echostream.dicom.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartRelatedTest {

    private static byte[] body(String boundary, List<byte[]> parts, boolean close) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("preamble to ignore\r\n".getBytes(StandardCharsets.US_ASCII));
        for (byte[] p : parts) {
            out.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\nContent-Length: " + p.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(p);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        if (close) {
            out.writeBytes(("--" + boundary + "--\r\nepilogue").getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** Hands out at most a few bytes per read, as a slow network would. */
    private static InputStream trickle(byte[] bytes) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 7));
            }
        };
    }

    private static List<byte[]> readAll(InputStream in, String boundary) throws IOException {
        List<byte[]> parts = new ArrayList<>();
        MultipartRelated.read(in, boundary, 100, (i, headers, body) -> {
            assertThat(headers).containsEntry("content-type", "application/dicom");
            parts.add(body.readAllBytes());
        });
        return parts;
    }

    @Test
    void reads_every_part_byte_for_byte_even_when_parts_contain_boundary_like_bytes_and_arrive_in_pieces() throws Exception {
        Random random = new Random(7);
        byte[] big = new byte[300_000];
        random.nextBytes(big);
        byte[] tricky = "\r\n--bound\r\n--boun".getBytes(StandardCharsets.US_ASCII);
        List<byte[]> parts = List.of(big, tricky, new byte[0]);
        assertThat(readAll(new ByteArrayInputStream(body("boundary", parts, true)), "boundary")).containsExactlyElementsOf(parts);
        assertThat(readAll(trickle(body("boundary", parts, true)), "boundary")).containsExactlyElementsOf(parts);
    }

    @Test
    void accepts_a_body_that_opens_with_its_first_boundary() throws Exception {
        byte[] body = "--b\r\nContent-Type: application/dicom\r\n\r\nabc\r\n--b--".getBytes(StandardCharsets.US_ASCII);
        assertThat(readAll(new ByteArrayInputStream(body), "b")).singleElement().isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void refuses_a_body_cut_inside_a_part_or_without_boundary() {
        assertThatThrownBy(() -> readAll(new ByteArrayInputStream(body("b", List.of(new byte[1000]), false)), "b"))
                .isInstanceOf(MultipartRelated.MalformedException.class).hasMessageContaining("ends inside");
        assertThatThrownBy(() -> readAll(new ByteArrayInputStream("no parts here".getBytes(StandardCharsets.US_ASCII)), "b"))
                .isInstanceOf(MultipartRelated.MalformedException.class).hasMessageContaining("no boundary line");
    }

    @Test
    void refuses_more_parts_than_allowed() {
        byte[] body = body("b", List.of(new byte[1], new byte[1], new byte[1]), true);
        assertThatThrownBy(() -> MultipartRelated.read(new ByteArrayInputStream(body), "b", 2, (i, h, in) -> in.readAllBytes()))
                .hasMessageContaining("more than 2 parts");
    }

    @Test
    void reads_the_boundary_and_type_of_a_content_type_with_quotes_and_case() throws Exception {
        assertThat(MultipartRelated.boundary("Multipart/Related; type=\"application/dicom\"; boundary=\"a;b=c\"")).isEqualTo("a;b=c");
        Map<String, String> p = MultipartRelated.parameters("multipart/related; type=\"application/dicom\"; boundary=x");
        assertThat(p).containsEntry("", "multipart/related").containsEntry("type", "application/dicom");
        assertThatThrownBy(() -> MultipartRelated.boundary("application/json")).hasMessageContaining("not multipart/related");
        assertThatThrownBy(() -> MultipartRelated.boundary("multipart/related; type=application/dicom")).hasMessageContaining("without a boundary");
    }

    @Test
    void what_it_writes_it_reads_back_part_for_part() throws Exception {
        byte[] first = "DICM-first\r\n--not-the-boundary".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] second = new byte[70_000];
        java.util.Arrays.fill(second, (byte) 0x2D); // dashes: a body of boundary-like bytes
        byte[] body = MultipartRelated.write("b0undary-42", "application/dicom", java.util.List.of(first, second));
        java.util.List<byte[]> read = new java.util.ArrayList<>();
        java.util.List<String> types = new java.util.ArrayList<>();
        int parts = MultipartRelated.read(new java.io.ByteArrayInputStream(body), "b0undary-42", 10, (index, headers, in) -> {
            read.add(in.readAllBytes());
            types.add(headers.get("content-type"));
        });
        org.assertj.core.api.Assertions.assertThat(parts).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThat(read.get(0)).isEqualTo(first);
        org.assertj.core.api.Assertions.assertThat(read.get(1)).isEqualTo(second);
        org.assertj.core.api.Assertions.assertThat(types).containsOnly("application/dicom");
    }
}
