package dev.ragtune.cli.records;

/**
 * One line of a JSONL file, ready to produce: {@code key} is the record id (null when the line has no string id),
 * {@code value} the line's bytes (re-serialised only when an id or adapter was filled in).
 */
public record PreparedRecord(int line, String key, byte[] value, String adapter) {
}
