package dev.ragtune.model.onnx;

import static dev.ragtune.model.onnx.GraphBuilder.attr;

/** RMSNorm: {@code y = x / sqrt(mean(x², last axis) + ε) · w}, in float32. */
final class RmsNormOp {
    private RmsNormOp() {
    }

    /** @param x {@code [..., H]} @param weight {@code [H]} */
    static String apply(GraphBuilder g, String x, String weight, double eps) {
        String sq = g.op("Mul", new String[] {x, x});
        String meanSq = g.op("ReduceMean", new String[] {sq}, attr("axes", new long[] {-1}), attr("keepdims", 1L));
        String rms = g.op("Sqrt", new String[] {g.op("Add", new String[] {meanSq, g.scalar((float) eps)})});
        return g.op("Mul", new String[] {g.op("Div", new String[] {x, rms}), weight});
    }
}
