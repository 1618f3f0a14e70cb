package dev.ragtune.rag.answer;

/** The question (or conversation) and the requested completion length do not fit the model's context window. */
public class PromptTooLongException extends RuntimeException {
    public PromptTooLongException(String message) {
        super(message);
    }
}
