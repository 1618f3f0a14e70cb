package dev.ragtune.tuning.records;

import dev.ragtune.common.records.TrainingRecord;

/** A valid record and the Kafka message it came from. */
public record IncomingRecord(TrainingRecord record, String contentHash, String topic, int partition, long offset) {

    public static IncomingRecord of(TrainingRecord record, String topic, int partition, long offset) {
        return new IncomingRecord(record, record.contentHash(), topic, partition, offset);
    }
}
