package dev.ragtune.rag.answer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.embedded.Topics;

/** Reads {@code training-records} from the beginning with a plain consumer, as the tuning worker would. */
final class TrainingRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Received(String key, JsonNode value) {
    }

    private TrainingRecords() {
    }

    /** Every record on the topic now. */
    static List<Received> all(String bootstrap) {
        List<Received> out = new ArrayList<>();
        for (var r : Topics.readAll(bootstrap, GenerationServices.RECORDS)) {
            String value = new String(r.value(), StandardCharsets.UTF_8);
            try {
                out.add(new Received(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), JSON.readTree(value)));
            } catch (Exception e) {
                throw new IllegalStateException("record is not JSON: " + value, e);
            }
        }
        return out;
    }

    /** The records about one query. */
    static List<Received> ofQuery(String bootstrap, String queryId) {
        Predicate<Received> about = r -> queryId.equals(r.value().path("metadata").path("queryId").asText());
        return all(bootstrap).stream().filter(about).toList();
    }
}
