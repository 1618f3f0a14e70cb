package dev.ragtune.tuning.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Configuration of training jobs, prefix {@code ragtune.worker.jobs} (see docs/tuning-worker.md). */
@ConfigMapping(prefix = "ragtune.worker.jobs")
public interface JobsConfig {
    /** Whether this instance claims and runs jobs (the API and the triggers work either way). */
    @WithDefault("true")
    boolean runnerEnabled();

    /** Whether this instance evaluates the automatic triggers. */
    @WithDefault("true")
    boolean triggersEnabled();

    /** A job starts by itself once this many records arrived since the last job's snapshot. */
    @WithDefault("100")
    int minNewRecords();

    /** …or once this long passed since the last job, if at least one record arrived. */
    @WithDefault("1h")
    Duration interval();

    /** How often the triggers are evaluated and claimable jobs looked for. */
    @WithDefault("10s")
    Duration pollInterval();

    /** A running job whose lease is not renewed for this long is taken over by another worker. */
    @WithDefault("2m")
    Duration leaseDuration();

    /** How often a running job renews its lease and stores its progress. */
    @WithDefault("20s")
    Duration heartbeatInterval();

    /** A job taken over more often than this (its workers kept dying) fails. */
    @WithDefault("3")
    int maxAttempts();

    /** false: continue from the production adapter's weights when there is one; true: always from scratch. */
    @WithDefault("false")
    boolean fromScratch();

    /** Training records whose greedy answers are scored (a fixed sample: lowest sha256 of the id). */
    @WithDefault("50")
    int trainSampleSize();

    /** Cap on generated tokens per evaluated answer. */
    @WithDefault("128")
    int maxNewTokens();

    /** First pause before retrying an unreachable registry; doubles up to publish-max-backoff. */
    @WithDefault("1s")
    Duration publishInitialBackoff();

    @WithDefault("1m")
    Duration publishMaxBackoff();

    /** Training seed unless a job overrides it. */
    @WithDefault("42")
    long seed();

    /** The registry's id of the base model; default {@code <checkpoint folder name>-<12 hex of its content hash>}. */
    Optional<String> baseModelName();

    /** This worker's lease-owner id; default {@code <host>-<pid>-<random>}. */
    Optional<String> workerId();
}
