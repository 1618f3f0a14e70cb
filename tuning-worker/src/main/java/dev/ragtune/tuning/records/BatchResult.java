package dev.ragtune.tuning.records;

/** What handling one polled batch did: records read, rejected (now on the DLQ) and the store's outcome. */
public record BatchResult(int consumed, int rejected, StoreOutcome store) {
}
