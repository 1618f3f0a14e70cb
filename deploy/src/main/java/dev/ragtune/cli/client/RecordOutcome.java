package dev.ragtune.cli.client;

/** tuning-worker {@code GET /v1/records/outcomes}: messages [fromOffset, toOffset) of one partition of the records topic. */
public record RecordOutcome(String topic, int partition, long fromOffset, long toOffset, long committedOffset, boolean processed,
                            long stored) {
}
