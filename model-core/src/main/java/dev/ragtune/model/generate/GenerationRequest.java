package dev.ragtune.model.generate;

/**
 * @param promptIds the tokenized prompt (chat template already applied)
 * @param adapter   the LoRA adapter for this request, or {@code null} for the base model
 */
public record GenerationRequest(int[] promptIds, SamplingParams params, OrtAdapter adapter, Cancellation cancellation) {
    public GenerationRequest {
        if (promptIds == null || promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (cancellation == null) {
            cancellation = new Cancellation();
        }
    }

    public GenerationRequest(int[] promptIds, SamplingParams params, OrtAdapter adapter) {
        this(promptIds, params, adapter, null);
    }
}
