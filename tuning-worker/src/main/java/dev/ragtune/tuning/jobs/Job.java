package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.UUID;

/** One row of the {@code jobs} table. JSON columns are null when not written yet. */
public record Job(UUID id, String adapter, JobStatus status, JobPhase phase, JobTrigger trigger, ObjectNode overrides,
                  String leaseOwner, Instant leaseExpiresAt, int attempt, boolean cancelRequested,
                  Long snapshotMinSeq, Long snapshotMaxSeq, Integer trainRecords, Integer evalRecords, String evalSet,
                  Integer parentVersion, JsonNode progress, JsonNode lossCurve, JsonNode metrics, JsonNode phaseSeconds,
                  Integer registryVersion, String error, Instant createdAt, Instant startedAt, Instant finishedAt,
                  Instant updatedAt) {

    public boolean hasSnapshot() {
        return snapshotMaxSeq != null;
    }
}
