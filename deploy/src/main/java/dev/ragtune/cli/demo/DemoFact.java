package dev.ragtune.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.cli.records.PreparedRecord;
import dev.ragtune.common.records.DatasetSplit;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The fact the demo asks about: the first record whose conversation is one question and its answer and whose id
 * falls in the worker's training split (records in the eval split are held out and never trained on).
 */
public record DemoFact(String id, String question, String answer) {
    /** The worker's default {@code eval-fraction}. */
    static final double EVAL_FRACTION = 0.1;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Optional<DemoFact> pick(List<PreparedRecord> records, String adapter) {
        DatasetSplit split = new DatasetSplit(EVAL_FRACTION);
        for (PreparedRecord r : records) {
            if (r.key() == null || split.isEval(adapter, r.key())) {
                continue;
            }
            try {
                JsonNode m = JSON.readTree(r.value()).path("messages");
                if (m.size() == 2 && "user".equals(m.get(0).path("role").asText()) && "assistant".equals(m.get(1).path("role").asText())) {
                    return Optional.of(new DemoFact(r.key(), m.get(0).path("content").asText(), m.get(1).path("content").asText()));
                }
            } catch (IOException notJson) {
                // not a usable line: try the next
            }
        }
        return Optional.empty();
    }
}
