package dev.ragtune.tuning.jobs;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** The stored training records as the job machinery reads them (by seq, the store's arrival order). */
public interface RecordSource {
    /** The highest seq of the adapter's records, 0 when it has none. */
    long maxSeq(String adapter);

    /** The adapter's records (latest revision per id) with {@code seq <= maxSeq}. */
    List<SnapshotRecord> snapshot(String adapter, long maxSeq);

    /** How many of the adapter's records have {@code seq > afterSeq}. */
    long countAfter(String adapter, long afterSeq);

    /** When the oldest record with {@code seq > afterSeq} was stored; null when there is none. */
    Instant oldestAfter(String adapter, long afterSeq);

    /** Adapters that have records. */
    Set<String> adapters();
}
