package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.UUID;

/**
 * A job as the API shows it. {@code progress} is {@code {step, totalSteps, loss, tokensPerSecond, etaSeconds}};
 * {@code lossCurve} is {@code [{step, epoch, loss, lr}]}; {@code metrics} the registry manifest's metrics
 * (candidate figures at the top level, {@code base} and {@code production} beside); {@code phaseSeconds}
 * the wall time of each phase; {@code registryVersion} the version the job published.
 */
public record JobView(UUID id, String adapter, JobStatus status, JobPhase phase, JobTrigger trigger, int attempt,
                      String worker, Instant leaseExpiresAt, boolean cancelRequested, JsonNode overrides, Snapshot snapshot,
                      Integer parentVersion, JsonNode progress, JsonNode lossCurve, JsonNode metrics, JsonNode phaseSeconds,
                      Integer registryVersion, String error, Instant createdAt, Instant startedAt, Instant finishedAt) {

    /** The records the job trains on: latest revisions with seq ≤ maxSeq; minSeq = first seq no earlier job saw. */
    public record Snapshot(Long minSeq, Long maxSeq, Integer trainRecords, Integer evalRecords, String evalSet) {
    }

    public static JobView of(Job j) {
        Snapshot s = j.hasSnapshot()
                ? new Snapshot(j.snapshotMinSeq(), j.snapshotMaxSeq(), j.trainRecords(), j.evalRecords(), j.evalSet()) : null;
        return new JobView(j.id(), j.adapter(), j.status(), j.phase(), j.trigger(), j.attempt(), j.leaseOwner(),
                j.status() == JobStatus.RUNNING ? j.leaseExpiresAt() : null, j.cancelRequested(), j.overrides(), s,
                j.parentVersion(), j.progress(), j.lossCurve(), j.metrics(), j.phaseSeconds(), j.registryVersion(), j.error(),
                j.createdAt(), j.startedAt(), j.finishedAt());
    }
}
