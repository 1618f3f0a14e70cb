package dev.ragtune.common.records;

import static dev.ragtune.common.records.ValidationResult.reject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;


/**
 * Validates one Kafka message of {@code training-records} (key and value bytes) into a
 * {@link TrainingRecord} or a {@link RecordRejection} with a stable {@link RejectCode} and a message
 * naming what is wrong. Checks, in this order (the first failure wins):
 * <ol>
 *   <li>size ≤ {@link RecordLimits#maxRecordBytes()} ({@code TOO_LARGE});</li>
 *   <li>well-formed UTF-8 JSON, no duplicate keys, nothing after the value ({@code MALFORMED_JSON}), an object ({@code NOT_AN_OBJECT});</li>
 *   <li>{@code schemaVersion} absent or 1; no unknown top-level field;</li>
 *   <li>{@code id} a non-blank string of at most 256 characters without control characters; equal to the key when there is a key;</li>
 *   <li>{@code adapter} matching {@code [a-z0-9][a-z0-9-]{0,62}};</li>
 *   <li>{@code messages} (or {@code prompt} + {@code completion}, not both): roles system/user/assistant, non-blank content,
 *       ending with an assistant turn; {@code metadata} an object when present;</li>
 *   <li>token count (chat template applied, via the {@link TokenCounter}) ≤ {@link RecordLimits#maxSequenceLength()}.</li>
 * </ol>
 * Thread-safe.
 */
public final class RecordValidator {

    public static final int MAX_ID_LENGTH = 256;
    private static final Set<String> FIELDS = Set.of("id", "adapter", "messages", "prompt", "completion", "metadata", "schemaVersion");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final RecordLimits limits;
    private final TokenCounter tokens;

    public RecordValidator(RecordLimits limits, TokenCounter tokens) {
        this.limits = limits;
        this.tokens = tokens;
    }

    public RecordLimits limits() {
        return limits;
    }

    /** Validates a JSON string without a key. */
    public ValidationResult validate(String value) {
        return validate(null, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param key   the Kafka key (UTF-8) or null
     * @param value the Kafka value or null (a tombstone, rejected as malformed)
     */
    public ValidationResult validate(byte[] key, byte[] value) {
        if (value == null || value.length == 0) {
            return reject(RejectCode.MALFORMED_JSON, "the value is empty" + (value == null ? " (a tombstone)" : "") + "; expected a JSON object");
        }
        if (value.length > limits.maxRecordBytes()) {
            return reject(RejectCode.TOO_LARGE, "the value is " + value.length + " bytes; the limit is " + limits.maxRecordBytes());
        }
        JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            return reject(RejectCode.MALFORMED_JSON, "the value is not valid JSON: " + e.getOriginalMessage()
                    + location(e));
        } catch (IOException e) {
            return reject(RejectCode.MALFORMED_JSON, "the value is not valid JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            return reject(RejectCode.MALFORMED_JSON, "the value holds no JSON; expected a JSON object");
        }
        if (!root.isObject()) {
            return reject(RejectCode.NOT_AN_OBJECT, "the value is a JSON " + kind(root) + "; expected a JSON object");
        }
        JsonNode version = root.get("schemaVersion");
        if (version != null && !(version.isIntegralNumber() && version.asLong() == TrainingRecord.SCHEMA_VERSION)) {
            return reject(RejectCode.UNSUPPORTED_SCHEMA_VERSION, "schemaVersion " + abbreviate(version.toString())
                    + " is not supported; this worker reads schemaVersion 1");
        }
        for (Map.Entry<String, JsonNode> f : root.properties()) {
            if (!FIELDS.contains(f.getKey())) {
                return reject(RejectCode.UNKNOWN_FIELD, "unknown field '" + abbreviate(f.getKey())
                        + "'; a record has id, adapter, messages (or prompt and completion), metadata, schemaVersion");
            }
        }

        JsonNode idNode = root.get("id");
        if (idNode == null || idNode.isNull() || (idNode.isTextual() && idNode.asText().isBlank())) {
            return reject(RejectCode.MISSING_ID, "the record has no id; 'id' must be a non-blank string");
        }
        if (!idNode.isTextual()) {
            return reject(RejectCode.INVALID_ID, "'id' must be a string, got a JSON " + kind(idNode));
        }
        String id = idNode.asText();
        if (id.length() > MAX_ID_LENGTH) {
            return reject(RejectCode.INVALID_ID, "'id' is " + id.length() + " characters; at most " + MAX_ID_LENGTH);
        }
        if (id.chars().anyMatch(Character::isISOControl)) {
            return reject(RejectCode.INVALID_ID, "'id' '" + abbreviate(id) + "' contains control characters");
        }
        if (key != null) {
            String k = new String(key, StandardCharsets.UTF_8);
            if (!k.equals(id)) {
                return reject(RejectCode.ID_KEY_MISMATCH, "the Kafka key '" + abbreviate(k) + "' differs from the record id '"
                        + abbreviate(id) + "'; send records with key = id (or no key)");
            }
        }

        JsonNode adapterNode = root.get("adapter");
        if (adapterNode == null || adapterNode.isNull()) {
            return reject(RejectCode.INVALID_ADAPTER, "the record has no 'adapter'; it must name the adapter to train (" + AdapterNames.RULE + ")");
        }
        if (!adapterNode.isTextual() || !AdapterNames.isValid(adapterNode.asText())) {
            return reject(RejectCode.INVALID_ADAPTER, "adapter " + abbreviate(adapterNode.toString()) + " is invalid: " + AdapterNames.RULE);
        }
        String adapter = adapterNode.asText();

        List<ChatMessage> messages;
        try {
            messages = conversation(root);
        } catch (Rejected r) {
            return new ValidationResult.Invalid(r.rejection);
        }

        JsonNode metadata = root.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
            return reject(RejectCode.INVALID_METADATA, "'metadata' must be a JSON object, got a JSON " + kind(metadata));
        }
        if (metadata != null && hasNul(metadata)) {
            return reject(RejectCode.INVALID_METADATA, "'metadata' contains a NUL character (\\u0000), which cannot be stored");
        }

        int count;
        try {
            count = tokens.count(messages);
        } catch (RuntimeException e) {
            return reject(RejectCode.UNTOKENIZABLE, "the model's chat template or tokenizer failed on this conversation: " + e.getMessage());
        }
        if (count > limits.maxSequenceLength()) {
            return reject(RejectCode.TOO_MANY_TOKENS, "the conversation is " + count + " tokens with the chat template; the limit is "
                    + limits.maxSequenceLength());
        }
        return new ValidationResult.Valid(new TrainingRecord(id, adapter, messages,
                metadata == null || metadata.isNull() ? null : (ObjectNode) metadata, TrainingRecord.SCHEMA_VERSION));
    }

    /** The conversation of {@code messages}, or of {@code prompt} + {@code completion}. */
    private static List<ChatMessage> conversation(JsonNode root) {
        JsonNode messages = root.get("messages");
        JsonNode prompt = root.get("prompt");
        JsonNode completion = root.get("completion");
        boolean hasMessages = messages != null && !messages.isNull();
        boolean hasPrompt = prompt != null && !prompt.isNull();
        boolean hasCompletion = completion != null && !completion.isNull();
        if (hasMessages && (hasPrompt || hasCompletion)) {
            throw new Rejected(RejectCode.INVALID_MESSAGES, "the record has both 'messages' and 'prompt'/'completion'; send one format");
        }
        if (!hasMessages) {
            if (!hasPrompt && !hasCompletion) {
                throw new Rejected(RejectCode.MISSING_MESSAGES, "the record has no 'messages' (nor 'prompt' and 'completion')");
            }
            if (!hasPrompt || !hasCompletion) {
                throw new Rejected(RejectCode.MISSING_MESSAGES, "the record has '" + (hasPrompt ? "prompt" : "completion")
                        + "' without '" + (hasPrompt ? "completion" : "prompt") + "'");
            }
            return List.of(new ChatMessage("user", text(prompt, "'prompt'")), new ChatMessage("assistant", text(completion, "'completion'")));
        }
        if (!messages.isArray()) {
            throw new Rejected(RejectCode.INVALID_MESSAGES, "'messages' must be an array of {role, content} objects, got a JSON " + kind(messages));
        }
        if (messages.isEmpty()) {
            throw new Rejected(RejectCode.MISSING_MESSAGES, "'messages' is empty; a conversation needs at least an assistant turn");
        }
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) {
                throw new Rejected(RejectCode.INVALID_MESSAGES, where + " must be a {role, content} object, got a JSON " + kind(m));
            }
            for (Map.Entry<String, JsonNode> f : m.properties()) {
                if (!MESSAGE_FIELDS.contains(f.getKey())) {
                    throw new Rejected(RejectCode.INVALID_MESSAGES, where + " has unknown field '" + abbreviate(f.getKey()) + "'; a message has role and content");
                }
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || !ChatMessage.ROLES.contains(role.asText())) {
                throw new Rejected(RejectCode.INVALID_ROLE, where + ".role " + (role == null ? "is missing" : abbreviate(role.toString()) + " is invalid")
                        + "; roles are system, user, assistant");
            }
            out.add(new ChatMessage(role.asText(), text(m.get("content"), where + ".content")));
        }
        String last = out.get(out.size() - 1).role();
        if (!"assistant".equals(last)) {
            throw new Rejected(RejectCode.MISSING_ASSISTANT_TURN, "the conversation ends with a " + last
                    + " turn; it must end with an assistant turn (the answer to learn)");
        }
        return out;
    }

    private static String text(JsonNode n, String where) {
        if (n == null || n.isNull()) {
            throw new Rejected(RejectCode.EMPTY_CONTENT, where + " is missing");
        }
        if (!n.isTextual()) {
            throw new Rejected(RejectCode.INVALID_MESSAGES, where + " must be a string, got a JSON " + kind(n));
        }
        if (n.asText().isBlank()) {
            throw new Rejected(RejectCode.EMPTY_CONTENT, where + " is empty");
        }
        if (n.asText().indexOf('\u0000') >= 0) {
            throw new Rejected(RejectCode.INVALID_MESSAGES, where + " contains a NUL character (\\u0000), which cannot be stored");
        }
        return n.asText();
    }

    /** Internal short-cut out of the nested checks; never escapes {@link #validate}. */
    private static final class Rejected extends RuntimeException {
        final RecordRejection rejection;

        Rejected(RejectCode code, String message) {
            super(message, null, false, false);
            this.rejection = new RecordRejection(code, message);
        }
    }

    private static boolean hasNul(JsonNode n) {
        if (n.isTextual()) {
            return n.asText().indexOf('\u0000') >= 0;
        }
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> f : n.properties()) {
                if (f.getKey().indexOf('\u0000') >= 0 || hasNul(f.getValue())) {
                    return true;
                }
            }
        } else if (n.isArray()) {
            for (JsonNode e : n) {
                if (hasNul(e)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String location(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }

    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "array";
            case OBJECT -> "object";
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
