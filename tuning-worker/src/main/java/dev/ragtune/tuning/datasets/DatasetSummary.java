package dev.ragtune.tuning.datasets;

import java.time.OffsetDateTime;

/**
 * One adapter's accumulated records (latest revisions only).
 *
 * @param adapter         adapter name
 * @param recordsTotal    record ids whose latest revision names this adapter
 * @param trainRecords    of those, in the train split
 * @param evalRecords     of those, in the eval split (never trained on)
 * @param newSinceLastJob latest revisions that arrived after the snapshot of the adapter's last job (all, if none)
 * @param lastRecordAt    when the newest of them was stored
 */
public record DatasetSummary(String adapter, long recordsTotal, long trainRecords, long evalRecords, long newSinceLastJob,
                             OffsetDateTime lastRecordAt) {
}
