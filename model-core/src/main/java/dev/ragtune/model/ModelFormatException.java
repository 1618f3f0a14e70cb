package dev.ragtune.model;

/**
 * A model folder, checkpoint file, tokenizer or adapter that cannot be used as it is. The message
 * always names the file and what is wrong with it, so that a user can fix it.
 */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
