package dev.ragtune.model.onnx;

/**
 * A linear projection with an optional bias and a LoRA branch fed by graph inputs:
 * {@code y = x Wᵀ + b + (x · lora_A) · lora_B} (see {@link dev.ragtune.model.lora.OnnxLoraNames}
 * for the layout of the LoRA inputs; their default rank is 0, so the branch adds nothing).
 */
final class LoraLinearOp {
    private LoraLinearOp() {
    }

    /**
     * @param x       {@code [B, S, in]}
     * @param weightT {@code [in, out]}, the transposed PyTorch weight
     * @param bias    {@code [out]} or null
     * @param loraA   name of the {@code [in, r]} input, or null when the module is not a target
     * @param loraB   name of the {@code [r, out]} input
     * @return {@code [B, S, out]}
     */
    static String apply(GraphBuilder g, String x, String weightT, String bias, String loraA, String loraB) {
        String y = g.op("MatMul", new String[] {x, weightT});
        if (bias != null) {
            y = g.op("Add", new String[] {y, bias});
        }
        if (loraA != null) {
            String down = g.op("MatMul", new String[] {x, loraA});
            y = g.op("Add", new String[] {y, g.op("MatMul", new String[] {down, loraB})});
        }
        return y;
    }
}
