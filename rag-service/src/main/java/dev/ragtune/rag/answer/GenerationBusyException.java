package dev.ragtune.rag.answer;

/** Every generation slot is busy and the wait queue is full: the caller should retry later (503). */
public class GenerationBusyException extends RuntimeException {
    public GenerationBusyException(String message) {
        super(message);
    }
}
