package dev.ragtune.tuning.records;

/**
 * What storing one batch did.
 *
 * @param stored     revisions inserted (new ids and new revisions)
 * @param revisions  of those, new revisions of ids that were already stored
 * @param duplicates records with the same content as the id's latest revision: not stored again
 * @param replayed   Kafka messages (topic, partition, offset) already stored: not stored again
 */
public record StoreOutcome(int stored, int revisions, int duplicates, int replayed) {
    public static final StoreOutcome NOTHING = new StoreOutcome(0, 0, 0, 0);
}
