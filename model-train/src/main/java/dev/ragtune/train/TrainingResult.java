package dev.ragtune.train;

import dev.ragtune.model.lora.LoraAdapter;

/** The trained adapter (PEFT layout) and what the run measured. */
public record TrainingResult(LoraAdapter adapter, TrainingMetrics metrics) {
}
