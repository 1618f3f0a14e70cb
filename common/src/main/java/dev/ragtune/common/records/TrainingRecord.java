package dev.ragtune.common.records;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;


/**
 * One training record of topic {@code training-records}, as validated: a conversation in the OpenAI
 * fine-tuning chat format for one adapter. A {@code {"prompt", "completion"}} record is normalised to
 * {@code [user: prompt, assistant: completion]}; absent metadata is an empty object.
 *
 * <p>Wire format (the value of a Kafka message, key = id):
 * <pre>{"id": "r-1", "adapter": "support-bot", "messages": [{"role": "user", "content": "…"},
 *  {"role": "assistant", "content": "…"}], "metadata": {…}, "schemaVersion": 1}</pre>
 *
 * @param id            record id, also the Kafka key; a re-sent id with other content is a new revision
 * @param adapter       adapter name, {@code [a-z0-9][a-z0-9-]{0,62}}
 * @param messages      system/user/assistant turns ending with an assistant turn
 * @param metadata      free-form JSON object (never null)
 * @param schemaVersion envelope version (1)
 */
public record TrainingRecord(String id, String adapter, List<ChatMessage> messages, ObjectNode metadata, int schemaVersion) {

    public static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    public TrainingRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(adapter, "adapter");
        messages = List.copyOf(messages);
        metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata.deepCopy();
    }

    public TrainingRecord(String id, String adapter, List<ChatMessage> messages, ObjectNode metadata) {
        this(id, adapter, messages, metadata, SCHEMA_VERSION);
    }

    /** The metadata (a copy: records are immutable). */
    @Override
    public ObjectNode metadata() {
        return metadata.deepCopy();
    }

    /** sha256 (hex) of the canonical JSON of adapter, messages and metadata: equal content, equal hash. */
    public String contentHash() {
        return ContentHash.of(this);
    }

    /** The messages as a JSON array of {@code {"role", "content"}} objects. */
    public ArrayNode messagesJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (ChatMessage m : messages) {
            a.addObject().put("role", m.role()).put("content", m.content());
        }
        return a;
    }

    /** The record in the wire format, e.g. to produce it to {@code training-records}. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", id);
        o.put("adapter", adapter);
        o.set("messages", messagesJson());
        if (!metadata.isEmpty()) {
            o.set("metadata", metadata.deepCopy());
        }
        o.put("schemaVersion", schemaVersion);
        return o;
    }

    /** {@link #toJson()} as a string. */
    public String toJsonString() {
        try {
            return JSON.writeValueAsString(toJson());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The metadata as a JSON string ({@code {}} when empty). */
    public String metadataJson() {
        return metadata.toString();
    }
}
