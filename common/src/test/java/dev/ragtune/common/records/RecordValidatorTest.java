package dev.ragtune.common.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.ragtune.common.records.ChatMessage;

class RecordValidatorTest {

    private static final String GOOD = """
            {"id": "r-1", "adapter": "support-bot", "messages": [
              {"role": "system", "content": "You are terse."},
              {"role": "user", "content": "Colour of the Zorbat river?"},
              {"role": "assistant", "content": "Violet."}], "metadata": {"source": "faq", "n": 3}, "schemaVersion": 1}""";

    /** Counts one token per character of content, so token limits can be tested without a model. */
    private static final TokenCounter CHARS = messages -> messages.stream().mapToInt(m -> m.content().length()).sum();

    private static final Set<RejectCode> SEEN = EnumSet.noneOf(RejectCode.class);

    private final RecordValidator validator = new RecordValidator(new RecordLimits(1024, 100), CHARS);

    @Test
    void acceptsAChatRecord() {
        TrainingRecord r = valid(validator.validate("r-1".getBytes(StandardCharsets.UTF_8), GOOD.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.id()).isEqualTo("r-1");
        assertThat(r.adapter()).isEqualTo("support-bot");
        assertThat(r.messages()).containsExactly(ChatMessage.system("You are terse."), ChatMessage.user("Colour of the Zorbat river?"),
                ChatMessage.assistant("Violet."));
        assertThat(r.metadata().get("source").asText()).isEqualTo("faq");
        assertThat(r.schemaVersion()).isEqualTo(1);
    }

    @Test
    void acceptsWithoutKeyMetadataOrSchemaVersion() {
        TrainingRecord r = valid(validator.validate("""
                {"id": "r-2", "adapter": "a", "messages": [{"role": "assistant", "content": "hi"}]}"""));
        assertThat(r.metadata().isEmpty()).isTrue();
        assertThat(r.schemaVersion()).isEqualTo(1);
    }

    @Test
    void normalisesPromptAndCompletionToUserAndAssistant() {
        TrainingRecord r = valid(validator.validate("""
                {"id": "p-1", "adapter": "a", "prompt": "2+2?", "completion": "4"}"""));
        assertThat(r.messages()).containsExactly(ChatMessage.user("2+2?"), ChatMessage.assistant("4"));
        // the same conversation in chat format has the same content hash
        TrainingRecord same = valid(validator.validate("""
                {"id": "p-1", "adapter": "a", "messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]}"""));
        assertThat(same.contentHash()).isEqualTo(r.contentHash());
    }

    @Test
    void tooLarge() {
        String big = GOOD.replace("You are terse.", "x".repeat(2000));
        assertRejected(validator.validate(big), RejectCode.TOO_LARGE, "the limit is 1024");
    }

    @Test
    void malformedJson() {
        assertRejected(validator.validate("{\"id\": \"r\", "), RejectCode.MALFORMED_JSON, "not valid JSON");
        assertRejected(validator.validate("{\"id\": \"r\"} trailing"), RejectCode.MALFORMED_JSON, "not valid JSON");
        assertRejected(validator.validate("{\"id\": \"a\", \"id\": \"b\"}"), RejectCode.MALFORMED_JSON, "Duplicate field 'id'");
        assertRejected(validator.validate(null, null), RejectCode.MALFORMED_JSON, "tombstone");
        assertRejected(validator.validate(null, new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'}), RejectCode.MALFORMED_JSON, "not valid JSON");
        assertRejected(validator.validate("   "), RejectCode.MALFORMED_JSON, "no JSON");
    }

    @Test
    void notAnObject() {
        assertRejected(validator.validate("[1, 2]"), RejectCode.NOT_AN_OBJECT, "JSON array");
        assertRejected(validator.validate("\"text\""), RejectCode.NOT_AN_OBJECT, "JSON string");
    }

    @Test
    void unsupportedSchemaVersion() {
        assertRejected(validator.validate(GOOD.replace("\"schemaVersion\": 1", "\"schemaVersion\": 2")),
                RejectCode.UNSUPPORTED_SCHEMA_VERSION, "schemaVersion 2");
        assertRejected(validator.validate(GOOD.replace("\"schemaVersion\": 1", "\"schemaVersion\": \"1\"")),
                RejectCode.UNSUPPORTED_SCHEMA_VERSION, "schemaVersion \"1\"");
    }

    @Test
    void unknownField() {
        assertRejected(validator.validate(GOOD.replace("\"metadata\"", "\"meta\"")), RejectCode.UNKNOWN_FIELD, "'meta'");
    }

    @Test
    void missingId() {
        assertRejected(validator.validate(GOOD.replace("\"id\": \"r-1\", ", "")), RejectCode.MISSING_ID, "no id");
        assertRejected(validator.validate(GOOD.replace("\"r-1\"", "\"  \"")), RejectCode.MISSING_ID, "no id");
        assertRejected(validator.validate(GOOD.replace("\"r-1\"", "null")), RejectCode.MISSING_ID, "no id");
    }

    @Test
    void invalidId() {
        assertRejected(validator.validate(GOOD.replace("\"r-1\"", "17")), RejectCode.INVALID_ID, "must be a string");
        assertRejected(validator.validate(GOOD.replace("\"r-1\"", "\"" + "i".repeat(257) + "\"")), RejectCode.INVALID_ID, "257 characters");
        assertRejected(validator.validate(GOOD.replace("\"r-1\"", "\"a\\nb\"")), RejectCode.INVALID_ID, "control characters");
    }

    @Test
    void idKeyMismatch() {
        assertRejected(validator.validate("other".getBytes(StandardCharsets.UTF_8), GOOD.getBytes(StandardCharsets.UTF_8)),
                RejectCode.ID_KEY_MISMATCH, "'other' differs from the record id 'r-1'");
    }

    @Test
    void invalidAdapter() {
        assertRejected(validator.validate(GOOD.replace("support-bot", "Support_Bot")), RejectCode.INVALID_ADAPTER, "\"Support_Bot\" is invalid");
        assertRejected(validator.validate(GOOD.replace("support-bot", "-bot")), RejectCode.INVALID_ADAPTER, "is invalid");
        assertRejected(validator.validate(GOOD.replace("support-bot", "a".repeat(64))), RejectCode.INVALID_ADAPTER, "is invalid");
        assertRejected(validator.validate(GOOD.replace("\"adapter\": \"support-bot\", ", "")), RejectCode.INVALID_ADAPTER, "no 'adapter'");
        assertThat(validator.validate(GOOD.replace("support-bot", "a".repeat(63)))).isInstanceOf(ValidationResult.Valid.class);
    }

    @Test
    void missingMessages() {
        assertRejected(validator.validate("{\"id\": \"r\", \"adapter\": \"a\"}"), RejectCode.MISSING_MESSAGES, "no 'messages'");
        assertRejected(validator.validate("{\"id\": \"r\", \"adapter\": \"a\", \"messages\": []}"), RejectCode.MISSING_MESSAGES, "empty");
        assertRejected(validator.validate("{\"id\": \"r\", \"adapter\": \"a\", \"prompt\": \"q\"}"), RejectCode.MISSING_MESSAGES,
                "'prompt' without 'completion'");
    }

    @Test
    void invalidMessages() {
        assertRejected(validator.validate("{\"id\": \"r\", \"adapter\": \"a\", \"messages\": {}}"), RejectCode.INVALID_MESSAGES, "must be an array");
        assertRejected(validator.validate("{\"id\": \"r\", \"adapter\": \"a\", \"messages\": [\"hi\"]}"), RejectCode.INVALID_MESSAGES, "messages[0]");
        assertRejected(validator.validate("""
                {"id": "r", "adapter": "a", "messages": [{"role": "assistant", "content": 5}]}"""), RejectCode.INVALID_MESSAGES,
                "messages[0].content must be a string");
        assertRejected(validator.validate("""
                {"id": "r", "adapter": "a", "messages": [{"role": "assistant", "content": "x", "weight": 1}]}"""), RejectCode.INVALID_MESSAGES,
                "unknown field 'weight'");
        assertRejected(validator.validate("""
                {"id": "r", "adapter": "a", "prompt": "q", "completion": "a", "messages": [{"role": "assistant", "content": "x"}]}"""),
                RejectCode.INVALID_MESSAGES, "both");
        assertRejected(validator.validate(GOOD.replace("Violet.", "Vio\\u0000let")), RejectCode.INVALID_MESSAGES, "NUL character");
    }

    @Test
    void invalidRole() {
        assertRejected(validator.validate(GOOD.replace("\"system\"", "\"tool\"")), RejectCode.INVALID_ROLE, "messages[0].role \"tool\" is invalid");
        assertRejected(validator.validate("""
                {"id": "r", "adapter": "a", "messages": [{"content": "x"}]}"""), RejectCode.INVALID_ROLE, "messages[0].role is missing");
    }

    @Test
    void missingAssistantTurn() {
        assertRejected(validator.validate("""
                {"id": "r", "adapter": "a", "messages": [{"role": "assistant", "content": "x"}, {"role": "user", "content": "y"}]}"""),
                RejectCode.MISSING_ASSISTANT_TURN, "ends with a user turn");
    }

    @Test
    void emptyContent() {
        assertRejected(validator.validate(GOOD.replace("Violet.", " \\n ")), RejectCode.EMPTY_CONTENT, "messages[2].content is empty");
        assertRejected(validator.validate("""
                {"id": "r", "adapter": "a", "messages": [{"role": "assistant"}]}"""), RejectCode.EMPTY_CONTENT, "messages[0].content is missing");
        assertRejected(validator.validate("{\"id\": \"r\", \"adapter\": \"a\", \"prompt\": \"q\", \"completion\": \"\"}"),
                RejectCode.EMPTY_CONTENT, "'completion' is empty");
    }

    @Test
    void invalidMetadata() {
        assertRejected(validator.validate(GOOD.replace("{\"source\": \"faq\", \"n\": 3}", "[1]")), RejectCode.INVALID_METADATA, "JSON array");
        assertRejected(validator.validate(GOOD.replace("\"faq\"", "[\"f\\u0000\"]")), RejectCode.INVALID_METADATA, "NUL character");
    }

    @Test
    void tooManyTokens() {
        // 100 tokens is the limit; the counter counts content characters
        String at = "{\"id\": \"r\", \"adapter\": \"a\", \"messages\": [{\"role\": \"assistant\", \"content\": \"" + "x".repeat(100) + "\"}]}";
        assertThat(validator.validate(at)).isInstanceOf(ValidationResult.Valid.class);
        assertRejected(validator.validate(at.replace("x\"", "xy\"")), RejectCode.TOO_MANY_TOKENS, "101 tokens with the chat template; the limit is 100");
    }

    @Test
    void untokenizable() {
        RecordValidator failing = new RecordValidator(RecordLimits.defaults(), m -> {
            throw new IllegalStateException("template exploded");
        });
        assertRejected(failing.validate(GOOD), RejectCode.UNTOKENIZABLE, "template exploded");
    }

    @Test
    void theTokenCounterSeesTheNormalisedConversation() {
        List<List<ChatMessage>> seen = new java.util.ArrayList<>();
        new RecordValidator(RecordLimits.defaults(), m -> {
            seen.add(m);
            return 1;
        }).validate("{\"id\": \"r\", \"adapter\": \"a\", \"prompt\": \"q\", \"completion\": \"c\"}");
        assertThat(seen).containsExactly(List.of(ChatMessage.user("q"), ChatMessage.assistant("c")));
    }

    @AfterAll
    static void everyCodeIsTested() {
        assertThat(SEEN).as("every RejectCode has a test").containsExactlyInAnyOrder(RejectCode.values());
    }

    private static TrainingRecord valid(ValidationResult r) {
        assertThat(r).isInstanceOf(ValidationResult.Valid.class);
        return ((ValidationResult.Valid) r).record();
    }

    private static void assertRejected(ValidationResult r, RejectCode code, String messagePart) {
        assertThat(r).isInstanceOf(ValidationResult.Invalid.class);
        RecordRejection rej = ((ValidationResult.Invalid) r).rejection();
        assertThat(rej.code()).as(rej.message()).isEqualTo(code);
        assertThat(rej.message()).contains(messagePart);
        SEEN.add(code);
    }
}
