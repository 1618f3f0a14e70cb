package dev.ragtune.model.onnx;

/** Soft-capping (Gemma 2-style): {@code y = c · tanh(x / c)}, keeping {@code |y| < c}. */
final class SoftcapOp {
    private SoftcapOp() {
    }

    static String apply(GraphBuilder g, String x, double cap) {
        String t = g.op("Tanh", new String[] {g.op("Div", new String[] {x, g.scalar((float) cap)})});
        return g.op("Mul", new String[] {t, g.scalar((float) cap)});
    }
}
