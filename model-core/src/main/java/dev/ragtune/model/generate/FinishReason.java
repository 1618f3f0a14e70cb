package dev.ragtune.model.generate;

/** Why a generation ended, in OpenAI's vocabulary where it has one. */
public enum FinishReason {
    /** the model ended its turn, or a stop string appeared */
    STOP,
    /** {@code maxTokens} or the context window was reached */
    LENGTH,
    /** the caller cancelled */
    CANCELLED
}
