package dev.ragtune.common.records;

/**
 * Size limits of a training record.
 *
 * @param maxRecordBytes    largest accepted Kafka value, in bytes (default 64 KiB)
 * @param maxSequenceLength most tokens a conversation may take once rendered with the chat template
 */
public record RecordLimits(int maxRecordBytes, int maxSequenceLength) {

    public static final int DEFAULT_MAX_RECORD_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 2048;

    public RecordLimits {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        if (maxSequenceLength < 1) {
            throw new IllegalArgumentException("maxSequenceLength must be positive, got " + maxSequenceLength);
        }
    }

    public static RecordLimits defaults() {
        return new RecordLimits(DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_SEQUENCE_LENGTH);
    }
}
