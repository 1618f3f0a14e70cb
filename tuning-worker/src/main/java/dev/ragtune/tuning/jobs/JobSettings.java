package dev.ragtune.tuning.jobs;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the job machinery needs to know, independent of how it is configured (the Quarkus service
 * fills it from {@code ragtune.worker.jobs.*}, tests build it directly).
 *
 * @param checkpointDir      the base model checkpoint every adapter is trained on
 * @param baseModelName      the registry's base-model id; null = {@code <folder name>-<12 hex of the content hash>}
 * @param workDir            {@code <work-dir>/jobs/<id>/…} holds a job's files; {@code <work-dir>/onnx-cache} the export
 * @param leaseDuration      a job whose lease is not renewed for this long is taken over by another worker
 * @param heartbeatInterval  how often a running job renews its lease and stores its progress
 * @param maxAttempts        a job taken over more often than this fails
 * @param fromScratch        false (default): start from the production adapter's weights when there is one
 * @param trainSampleSize    training records whose greedy answers are scored (fixed: lowest sha256 of id)
 * @param maxNewTokens       cap on generated tokens per evaluated answer
 * @param publishMaxBackoff  longest pause between attempts to reach the registry
 * @param seed               training seed unless a job overrides it
 */
public record JobSettings(Path checkpointDir, String baseModelName, Path workDir, Duration leaseDuration,
                          Duration heartbeatInterval, int maxAttempts, boolean fromScratch, int trainSampleSize,
                          int maxNewTokens, Duration publishInitialBackoff, Duration publishMaxBackoff, long seed) {
    public JobSettings {
        require(checkpointDir != null, "a checkpoint folder is needed");
        require(workDir != null, "a work folder is needed");
        require(leaseDuration.compareTo(heartbeatInterval.multipliedBy(2)) >= 0,
                "lease-duration (" + leaseDuration + ") must be at least twice heartbeat-interval (" + heartbeatInterval + ")");
        require(!heartbeatInterval.isZero() && !heartbeatInterval.isNegative(), "heartbeat-interval must be positive");
        require(maxAttempts >= 1, "max-attempts must be at least 1, got " + maxAttempts);
        require(trainSampleSize >= 0, "train-sample-size must not be negative, got " + trainSampleSize);
        require(maxNewTokens >= 1, "max-new-tokens must be positive, got " + maxNewTokens);
        require(!publishInitialBackoff.isNegative() && !publishInitialBackoff.isZero(), "publish-initial-backoff must be positive");
        require(publishMaxBackoff.compareTo(publishInitialBackoff) >= 0, "publish-max-backoff must be at least publish-initial-backoff");
    }

    /** The defaults documented in docs/tuning-worker.md, for a checkpoint and a work folder. */
    public static JobSettings defaults(Path checkpointDir, Path workDir) {
        return new JobSettings(checkpointDir, null, workDir, Duration.ofMinutes(2), Duration.ofSeconds(20), 3, false, 50,
                128, Duration.ofSeconds(1), Duration.ofMinutes(1), 42L);
    }

    public JobSettings withLease(Duration lease, Duration heartbeat) {
        return new JobSettings(checkpointDir, baseModelName, workDir, lease, heartbeat, maxAttempts, fromScratch,
                trainSampleSize, maxNewTokens, publishInitialBackoff, publishMaxBackoff, seed);
    }

    public JobSettings withPublishBackoff(Duration initial, Duration max) {
        return new JobSettings(checkpointDir, baseModelName, workDir, leaseDuration, heartbeatInterval, maxAttempts, fromScratch,
                trainSampleSize, maxNewTokens, initial, max, seed);
    }

    public JobSettings withFromScratch(boolean v) {
        return new JobSettings(checkpointDir, baseModelName, workDir, leaseDuration, heartbeatInterval, maxAttempts, v,
                trainSampleSize, maxNewTokens, publishInitialBackoff, publishMaxBackoff, seed);
    }

    public Path jobDir(java.util.UUID id) {
        return workDir.resolve("jobs").resolve(id.toString());
    }

    public Path onnxCache() {
        return workDir.resolve("onnx-cache");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
