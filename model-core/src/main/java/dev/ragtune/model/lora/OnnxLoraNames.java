package dev.ragtune.model.lora;

import dev.ragtune.model.checkpoint.LinearModule;

/**
 * Names and layouts of the LoRA inputs of an exported decoder graph, shared by the exporter and
 * by the {@code .onnx_adapter} writer.
 *
 * <p>For a target module with PEFT matrices {@code A [r, in]} and {@code B [out, r]} the graph
 * computes {@code y = x W^T + (x · lora_A) · lora_B}, where the graph inputs are laid out for
 * plain MatMuls and carry the scale:
 * <ul>
 *   <li>{@code lora_A = A^T}, shape {@code [in, r]}</li>
 *   <li>{@code lora_B = (alpha / r) · B^T}, shape {@code [r, out]}</li>
 * </ul>
 * The graph's defaults are zero-rank tensors ({@code [in, 0]} and {@code [0, out]}), so a request
 * without an adapter adds exactly zero.
 */
public final class OnnxLoraNames {
    private OnnxLoraNames() {
    }

    public static String a(int layer, LinearModule module) {
        return "lora.layers." + layer + "." + module.shortName() + ".A";
    }

    public static String b(int layer, LinearModule module) {
        return "lora.layers." + layer + "." + module.shortName() + ".B";
    }
}
