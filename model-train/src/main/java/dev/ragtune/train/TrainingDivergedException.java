package dev.ragtune.train;

/** The loss or the gradients became NaN or infinite; nothing was written. */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
