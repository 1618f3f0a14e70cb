package dev.ragtune.model.onnx;

import java.util.Locale;

/**
 * How exported weights are stored. {@code FP16} halves the files and the bytes a decode step
 * streams where the execution provider keeps them in half precision; activations, the KV cache
 * and logits stay float32 in both, so LoRA inputs and outputs have one layout.
 */
public enum Precision {
    FP32, FP16;

    public String suffix() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Precision parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
