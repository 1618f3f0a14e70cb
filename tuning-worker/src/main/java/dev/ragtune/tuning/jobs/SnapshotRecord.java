package dev.ragtune.tuning.jobs;

import dev.ragtune.common.records.ChatMessage;

import java.util.List;

/** One stored training record as a job sees it: the latest revision at snapshot time. */
public record SnapshotRecord(String id, long seq, boolean eval, List<ChatMessage> messages) {
    public SnapshotRecord {
        messages = List.copyOf(messages);
    }
}
