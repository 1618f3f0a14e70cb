package dev.ragtune.cli.records;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the lines of a JSONL file into training-records messages (the format of docs/tuning-worker.md). A line that
 * is a JSON object without {@code id} gets {@code <file stem>-<line number>} (so pushing the same file again stores
 * nothing twice, and an edited line becomes a new revision of its record); one without {@code adapter} gets the
 * default adapter. Anything else is sent exactly as written, so that the worker — not the command line — judges it
 * and puts what it rejects on the DLQ with the reason. Blank lines are skipped.
 */
public final class RecordLines {
    /** Strict (duplicate keys, trailing content) and exact (numbers kept as written) so nothing is changed by re-serialising. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private RecordLines() {
    }

    /** The id given to the record on line {@code line} (1-based) of {@code fileName} when it has none. */
    public static String defaultId(String fileName, int line) {
        String stem = fileName.replaceFirst("\\.[^.]*$", "");
        return (stem.isEmpty() ? "record" : stem) + "-" + line;
    }

    public static List<PreparedRecord> prepare(List<String> lines, String fileName, String defaultAdapter) {
        List<PreparedRecord> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i);
            if (text.isBlank()) {
                continue;
            }
            out.add(prepare(text, i + 1, fileName, defaultAdapter));
        }
        return out;
    }

    static PreparedRecord prepare(String text, int line, String fileName, String defaultAdapter) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return new PreparedRecord(line, null, raw, null);
        }
        if (!(node instanceof ObjectNode o)) {
            return new PreparedRecord(line, null, raw, null);
        }
        boolean changed = false;
        if (!o.has("id") || o.get("id").isNull()) {
            o.put("id", defaultId(fileName, line));
            changed = true;
        }
        if ((!o.has("adapter") || o.get("adapter").isNull()) && defaultAdapter != null) {
            o.put("adapter", defaultAdapter);
            changed = true;
        }
        String key = o.get("id").isTextual() ? o.get("id").asText() : null;
        String adapter = o.path("adapter").isTextual() ? o.get("adapter").asText() : null;
        byte[] value = raw;
        if (changed) {
            ObjectNode ordered = JSON.createObjectNode();
            ordered.set("id", o.get("id"));
            if (o.has("adapter")) {
                ordered.set("adapter", o.get("adapter"));
            }
            o.fields().forEachRemaining(f -> {
                if (!ordered.has(f.getKey())) {
                    ordered.set(f.getKey(), f.getValue());
                }
            });
            try {
                value = JSON.writeValueAsBytes(ordered);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return new PreparedRecord(line, key, value, adapter);
    }
}
