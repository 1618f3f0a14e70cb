package dev.ragtune.cli.records;

import java.util.List;

/**
 * What became of a push, as read back from the worker: {@code stored} records became new revisions, {@code unchanged}
 * were valid but equal to their latest revision, {@code rejected} went to the DLQ (with their lines).
 * {@code processed} is false when the worker had not processed every record before the wait ended.
 */
public record PushReport(String pushId, int sent, boolean processed, long processedCount, long stored, List<Rejection> rejected) {

    /** A rejected line and the worker's reason. */
    public record Rejection(int line, DlqEntry entry) {
    }

    public long accepted() {
        return processedCount - rejected.size();
    }

    public long unchanged() {
        return accepted() - stored;
    }
}
