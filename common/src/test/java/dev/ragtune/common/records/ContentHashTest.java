package dev.ragtune.common.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ragtune.common.records.ChatMessage;

class ContentHashTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode obj(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    private static TrainingRecord rec(String id, String adapter, String answer, ObjectNode metadata) {
        return new TrainingRecord(id, adapter, List.of(ChatMessage.user("q"), ChatMessage.assistant(answer)), metadata);
    }

    @Test
    void canonicalJsonSortsKeysAtEveryLevel() throws Exception {
        TrainingRecord r = rec("x", "a", "yes", obj("{\"b\": {\"z\": 1, \"y\": [2, {\"d\": 1, \"c\": \"é\"}]}, \"a\": true}"));
        assertThat(ContentHash.canonicalJson(r)).isEqualTo(
                "{\"adapter\":\"a\",\"messages\":[{\"content\":\"q\",\"role\":\"user\"},{\"content\":\"yes\",\"role\":\"assistant\"}],"
                        + "\"metadata\":{\"a\":true,\"b\":{\"y\":[2,{\"c\":\"é\",\"d\":1}],\"z\":1}}}");
        assertThat(r.contentHash()).matches("[0-9a-f]{64}");
    }

    @Test
    void keyOrderAndIdDoNotChangeTheHash() throws Exception {
        String h1 = rec("x", "a", "yes", obj("{\"k\": 1, \"j\": {\"b\": 2, \"a\": 1}}")).contentHash();
        String h2 = rec("other-id", "a", "yes", obj("{\"j\": {\"a\": 1, \"b\": 2}, \"k\": 1}")).contentHash();
        assertThat(h2).isEqualTo(h1);
        assertThat(rec("x", "a", "yes", null).contentHash()).isEqualTo(rec("x", "a", "yes", obj("{}")).contentHash());
    }

    @Test
    void contentAdapterAndMetadataChangeTheHash() throws Exception {
        String base = rec("x", "a", "yes", obj("{\"k\": 1}")).contentHash();
        assertThat(rec("x", "a", "no", obj("{\"k\": 1}")).contentHash()).isNotEqualTo(base);
        assertThat(rec("x", "b", "yes", obj("{\"k\": 1}")).contentHash()).isNotEqualTo(base);
        assertThat(rec("x", "a", "yes", obj("{\"k\": 2}")).contentHash()).isNotEqualTo(base);
        assertThat(new TrainingRecord("x", "a", List.of(ChatMessage.system("q"), ChatMessage.assistant("yes")), obj("{\"k\": 1}"))
                .contentHash()).as("roles count").isNotEqualTo(base);
    }

    @Test
    void wireFormatRoundTrips() throws Exception {
        TrainingRecord r = rec("x", "a", "yes", obj("{\"k\": [1, 2]}"));
        RecordValidator v = new RecordValidator(RecordLimits.defaults(), TokenCounter.NONE);
        ValidationResult back = v.validate(r.toJsonString());
        assertThat(back).isInstanceOf(ValidationResult.Valid.class);
        assertThat(((ValidationResult.Valid) back).record()).isEqualTo(r);
    }
}
