package dev.ragtune.tuning.train;

import dev.ragtune.common.lora.LoraAdapter;

/** The trained adapter (PEFT layout) and what the run measured. */
public record TrainingResult(LoraAdapter adapter, TrainingMetrics metrics) {
}
