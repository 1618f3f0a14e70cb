package dev.ragtune.common.records;

/**
 * Why a training record was rejected. The names are stable: they travel in the
 * {@code ragtune.error.code} header of {@code training-records.dlq} and in metrics, and
 * producers may branch on them.
 */
public enum RejectCode {
    /** The value is larger than the configured limit (checked on the raw bytes, before parsing). */
    TOO_LARGE,
    /** The value is not valid JSON (or not UTF-8, or empty, or has trailing content). */
    MALFORMED_JSON,
    /** The value is JSON but not an object. */
    NOT_AN_OBJECT,
    /** {@code schemaVersion} is present and not 1. */
    UNSUPPORTED_SCHEMA_VERSION,
    /** A top-level field other than id, adapter, messages, prompt, completion, metadata, schemaVersion. */
    UNKNOWN_FIELD,
    /** {@code id} is absent, null or blank. */
    MISSING_ID,
    /** {@code id} is not a string, longer than 256 characters, or has control characters. */
    INVALID_ID,
    /** The Kafka key is present and differs from {@code id}. */
    ID_KEY_MISMATCH,
    /** {@code adapter} is absent or does not match {@code [a-z0-9][a-z0-9-]{0,62}}. */
    INVALID_ADAPTER,
    /** Neither {@code messages} nor {@code prompt}/{@code completion}, or an empty {@code messages} array. */
    MISSING_MESSAGES,
    /** Malformed conversation: messages not an array of objects, content not a string, both formats at once… */
    INVALID_MESSAGES,
    /** A role other than system, user, assistant. */
    INVALID_ROLE,
    /** The conversation does not end with an assistant turn. */
    MISSING_ASSISTANT_TURN,
    /** A message (or prompt/completion) whose content is empty or only whitespace. */
    EMPTY_CONTENT,
    /** {@code metadata} is present and not an object. */
    INVALID_METADATA,
    /** The conversation, rendered with the model's chat template and tokenized, is longer than the limit. */
    TOO_MANY_TOKENS,
    /** The model's chat template or tokenizer failed on the conversation (the message says how). */
    UNTOKENIZABLE
}
