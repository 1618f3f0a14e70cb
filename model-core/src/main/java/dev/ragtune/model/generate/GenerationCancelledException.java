package dev.ragtune.model.generate;

/** Raised inside a generation loop when its caller cancelled it. */
public class GenerationCancelledException extends RuntimeException {
    public GenerationCancelledException() {
        super("generation cancelled");
    }
}
