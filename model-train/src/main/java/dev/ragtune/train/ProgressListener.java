package dev.ragtune.train;

/** Receives a report after every optimizer step. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> { };

    void onStep(TrainingProgress progress);
}
