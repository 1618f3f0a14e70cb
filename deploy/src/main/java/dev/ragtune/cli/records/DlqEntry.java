package dev.ragtune.cli.records;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A rejected record on {@code training-records.dlq}: the worker's reject code and message, where it was read from,
 * and — for records sent by {@code ragtune records push} — the push and the file line it came from.
 */
public record DlqEntry(int partition, long offset, Instant timestamp, String key, String code, String message,
                       Integer sourcePartition, Long sourceOffset, String pushId, String pushSource, String value) {
    // header names written by the worker (tuning-worker DlqHeaders) and by records push
    public static final String ERROR_CODE = "ragtune.error.code";
    public static final String ERROR_MESSAGE = "ragtune.error.message";
    public static final String SOURCE_PARTITION = "ragtune.source.partition";
    public static final String SOURCE_OFFSET = "ragtune.source.offset";
    public static final String PUSH_ID = "ragtune.push.id";
    public static final String PUSH_SOURCE = "ragtune.push.source";

    public static DlqEntry of(ConsumerRecord<byte[], byte[]> r) {
        String sp = header(r, SOURCE_PARTITION);
        String so = header(r, SOURCE_OFFSET);
        return new DlqEntry(r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()),
                r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                header(r, ERROR_CODE), header(r, ERROR_MESSAGE),
                sp == null ? null : Integer.valueOf(sp), so == null ? null : Long.valueOf(so),
                header(r, PUSH_ID), header(r, PUSH_SOURCE),
                r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
    }

    /** The value cut to {@code max} characters, on one line. */
    public String excerpt(int max) {
        if (value == null) {
            return "(no value)";
        }
        String one = value.replaceAll("\\s+", " ").strip();
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
