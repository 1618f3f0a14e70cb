package dev.ragtune.common.records;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;


/**
 * The content hash of a record, used to tell a re-sent record (same hash: not stored again) from a new
 * revision of it (other hash): sha256, lowercase hex, of the canonical JSON
 * {@code {"adapter":…,"messages":[{"content":…,"role":…},…],"metadata":{…}}} — object keys sorted by
 * code point at every level, no whitespace, strings escaped by Jackson, numbers as written by Jackson
 * ({@code 1} and {@code 1.0} differ). The id and schemaVersion are not part of the content.
 */
public final class ContentHash {

    private static final JsonFactory FACTORY = new ObjectMapper().getFactory();

    private ContentHash() {
    }

    public static String of(TrainingRecord r) {
        return sha256(canonicalJson(r));
    }

    public static String canonicalJson(TrainingRecord r) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("adapter", r.adapter());
            g.writeArrayFieldStart("messages");
            for (ChatMessage m : r.messages()) {
                g.writeStartObject();
                g.writeStringField("content", m.content());
                g.writeStringField("role", m.role());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName("metadata");
            writeCanonical(g, r.metadata());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeCanonical(JsonGenerator g, JsonNode n) throws IOException {
        if (n.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(n.properties());
            Collections.sort(fields, Map.Entry.comparingByKey());
            g.writeStartObject();
            for (Map.Entry<String, JsonNode> f : fields) {
                g.writeFieldName(f.getKey());
                writeCanonical(g, f.getValue());
            }
            g.writeEndObject();
        } else if (n.isArray()) {
            g.writeStartArray();
            for (JsonNode e : n) {
                writeCanonical(g, e);
            }
            g.writeEndArray();
        } else {
            g.writeTree(n);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
