package dev.ragtune.tuning.publish;

import dev.ragtune.common.registry.RegistryUnavailableException;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Runs a registry call until it gets an answer: while the registry is unavailable (unreachable,
 * timing out or answering 5xx) it waits {@code initial}, then twice as long each time up to
 * {@code max}, and tries again, with no limit on the number of attempts; the job's lease and cancel
 * flag are what stop it ({@link RetryObserver#beforeWait} may throw). An error the registry answered
 * (4xx, {@code RegistryException}) is not retried.
 */
public final class RegistryRetry {
    private final Duration initial;
    private final Duration max;
    private final RetryObserver observer;

    /** Told about each failed attempt; may throw to stop retrying (cancel, lost lease). */
    @FunctionalInterface
    public interface RetryObserver {
        RetryObserver NONE = (what, attempt, error, wait) -> { };

        void beforeWait(String what, int attempt, RegistryUnavailableException error, Duration wait);

        /** Called once the call succeeded after at least one failure. */
        default void recovered(String what, int attempts) {
        }
    }

    public RegistryRetry(Duration initial, Duration max, RetryObserver observer) {
        this.initial = initial;
        this.max = max;
        this.observer = observer;
    }

    public <T> T call(String what, Supplier<T> call) {
        Duration wait = initial;
        for (int attempt = 1; ; attempt++) {
            try {
                T result = call.get();
                if (attempt > 1) {
                    observer.recovered(what, attempt);
                }
                return result;
            } catch (RegistryUnavailableException e) {
                observer.beforeWait(what, attempt, e, wait);
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting to retry " + what, ie);
                }
                wait = wait.multipliedBy(2).compareTo(max) > 0 ? max : wait.multipliedBy(2);
            }
        }
    }
}
