package dev.ragtune.tuning.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * Prometheus metrics of training jobs:
 * <ul>
 *   <li>{@code ragtune_worker_job_phase_seconds{phase}}: wall time per phase (snapshot, train, eval, package, publish);</li>
 *   <li>{@code ragtune_worker_job_seconds{outcome}}: wall time of a job attempt to its end;</li>
 *   <li>{@code ragtune_worker_jobs_total{outcome}}: jobs by outcome (SUCCEEDED, FAILED, CANCELLED);</li>
 *   <li>{@code ragtune_worker_training_tokens_per_second}: training throughput of each job;</li>
 *   <li>{@code ragtune_worker_training_tokens_total}: tokens trained on.</li>
 * </ul>
 */
@ApplicationScoped
public class JobMetrics implements JobObserver {
    private final MeterRegistry registry;
    private final DistributionSummary tokensPerSecond;
    private final Counter tokens;

    public JobMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.tokensPerSecond = DistributionSummary.builder("ragtune.worker.training.tokens.per.second")
                .description("training tokens per second of each job").register(registry);
        this.tokens = Counter.builder("ragtune.worker.training.tokens").description("tokens trained on").register(registry);
    }

    @Override
    public void phaseFinished(String adapter, JobPhase phase, double seconds) {
        Timer.builder("ragtune.worker.job.phase").description("wall time of a job phase").tag("phase", phase.key())
                .register(registry).record(Duration.ofNanos((long) (seconds * 1e9)));
    }

    @Override
    public void jobFinished(String adapter, JobStatus outcome, double seconds) {
        Counter.builder("ragtune.worker.jobs").description("training jobs by outcome").tag("outcome", outcome.name())
                .register(registry).increment();
        Timer.builder("ragtune.worker.job").description("wall time of a job attempt").tag("outcome", outcome.name())
                .register(registry).record(Duration.ofNanos((long) (seconds * 1e9)));
    }

    @Override
    public void trainingFinished(String adapter, double tps, long trainedTokens) {
        tokensPerSecond.record(tps);
        tokens.increment(trainedTokens);
    }
}
