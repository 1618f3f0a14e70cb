package dev.ragtune.cli.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A training job as the tuning-worker's {@code /v1/jobs} shows it (the fields the command line uses).
 * Times are ISO-8601 strings.
 */
public record JobInfo(String id, String adapter, String status, String phase, String trigger, int attempt, JsonNode overrides,
                      Snapshot snapshot, Integer parentVersion, Progress progress, JsonNode metrics, JsonNode phaseSeconds,
                      Integer registryVersion, String error, String createdAt, String startedAt, String finishedAt) {

    public record Snapshot(Long minSeq, Long maxSeq, Integer trainRecords, Integer evalRecords, String evalSet) {
    }

    /** Training progress: written by the job's heartbeat while it trains. */
    public record Progress(Long step, Long totalSteps, Double loss, Double tokensPerSecond, Double etaSeconds) {
    }

    /** SUCCEEDED, FAILED or CANCELLED. */
    public boolean ended() {
        return "SUCCEEDED".equals(status) || "FAILED".equals(status) || "CANCELLED".equals(status);
    }
}
