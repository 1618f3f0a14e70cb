package dev.ragtune.tuning.records;

/** Headers a record carries on {@code training-records.dlq} (values UTF-8 text), besides its own headers. */
public final class DlqHeaders {

    /** The {@link dev.ragtune.common.records.RejectCode} name. */
    public static final String ERROR_CODE = "ragtune.error.code";
    /** What is wrong, in words. */
    public static final String ERROR_MESSAGE = "ragtune.error.message";
    /** Partition of {@code training-records} the record was read from (decimal). */
    public static final String SOURCE_PARTITION = "ragtune.source.partition";
    /** Offset in that partition (decimal). */
    public static final String SOURCE_OFFSET = "ragtune.source.offset";
    /** Topic the record was read from. */
    public static final String SOURCE_TOPIC = "ragtune.source.topic";

    private DlqHeaders() {
    }
}
