package dev.ragtune.tuning.jobs;

/** Measurements of jobs (the service records them as Micrometer metrics). */
public interface JobObserver {
    JobObserver NONE = new JobObserver() { };

    default void phaseFinished(String adapter, JobPhase phase, double seconds) {
    }

    default void jobFinished(String adapter, JobStatus outcome, double seconds) {
    }

    default void trainingFinished(String adapter, double tokensPerSecond, long tokens) {
    }
}
