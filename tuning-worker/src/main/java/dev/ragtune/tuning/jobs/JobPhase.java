package dev.ragtune.tuning.jobs;

import java.util.Locale;

/** The steps of a running job, in order; each one's wall time is recorded. */
public enum JobPhase {
    SNAPSHOT, TRAIN, EVAL, PACKAGE, PUBLISH;

    /** The name used in {@code phaseSeconds} and metric tags: {@code snapshot}, {@code train}, … */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
