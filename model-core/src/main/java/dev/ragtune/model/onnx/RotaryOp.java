package dev.ragtune.model.onnx;

import static dev.ragtune.model.onnx.GraphBuilder.attr;

/**
 * Rotary position embedding in Hugging Face's "rotate half" form:
 * {@code y = x · cos + rotate_half(x) · sin}, {@code rotate_half([x1, x2]) = [-x2, x1]}.
 */
final class RotaryOp {
    private RotaryOp() {
    }

    /**
     * @param x   {@code [B, heads, S, D]}
     * @param cos {@code [B, 1, S, D]} rows of the cos table gathered at the tokens' positions
     * @param sin {@code [B, 1, S, D]}
     */
    static String apply(GraphBuilder g, String x, String cos, String sin, int headDim) {
        return apply(g, x, cos, sin, headDim, headDim);
    }

    /**
     * Partial rotary (Phi-4-mini): the first {@code rotaryDim} dimensions of each head rotate, the rest
     * pass through unchanged; {@code cos}/{@code sin} are {@code [B, 1, S, rotaryDim]}.
     */
    static String apply(GraphBuilder g, String x, String cos, String sin, int headDim, int rotaryDim) {
        if (rotaryDim == headDim) {
            return rotate(g, x, cos, sin, headDim);
        }
        String[] parts = g.ops("Split", new String[] {g.fresh("rot_part"), g.fresh("pass_part")},
                new String[] {x, g.ints(rotaryDim, headDim - rotaryDim)}, attr("axis", -1L));
        return g.op("Concat", new String[] {rotate(g, parts[0], cos, sin, rotaryDim), parts[1]}, attr("axis", -1L));
    }

    private static String rotate(GraphBuilder g, String x, String cos, String sin, int headDim) {
        String[] halves = g.ops("Split", new String[] {g.fresh("rot_x1"), g.fresh("rot_x2")},
                new String[] {x, g.ints(headDim / 2, headDim / 2)}, attr("axis", -1L));
        String rotated = g.op("Concat", new String[] {g.op("Neg", new String[] {halves[1]}), halves[0]}, attr("axis", -1L));
        return g.op("Add", new String[] {g.op("Mul", new String[] {x, cos}), g.op("Mul", new String[] {rotated, sin})});
    }
}
