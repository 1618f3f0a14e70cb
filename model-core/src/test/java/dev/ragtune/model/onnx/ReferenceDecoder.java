package dev.ragtune.model.onnx;

import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.checkpoint.RotaryFrequencies;
import dev.ragtune.model.checkpoint.WeightNames;

import java.util.HashMap;
import java.util.Map;

/**
 * An independent float64 forward of a Llama-family checkpoint in plain Java loops, written
 * straight from the equations (no ONNX, no DJL): the yardstick both engines are compared with.
 */
public final class ReferenceDecoder {
    /** LoRA matrices of one module in PEFT layout: A {@code [r][in]}, B {@code [out][r]}. */
    public record Lora(double[][] a, double[][] b, double scale) {
    }

    private final ModelConfig c;
    private final Checkpoint ckpt;
    private final Map<String, double[][]> matrices = new HashMap<>();
    private final Map<String, Lora> lora = new HashMap<>();

    public ReferenceDecoder(Checkpoint checkpoint) {
        this.ckpt = checkpoint;
        this.c = checkpoint.config();
    }

    /** The reference for {@code checkpoint} with {@code adapter} applied ({@code null}: the base model). */
    public static ReferenceDecoder of(Checkpoint checkpoint, dev.ragtune.model.lora.LoraAdapter adapter) {
        ReferenceDecoder ref = new ReferenceDecoder(checkpoint);
        if (adapter == null) {
            return ref;
        }
        ModelConfig c = checkpoint.config();
        int r = adapter.config().r();
        for (int l = 0; l < c.numLayers(); l++) {
            for (LinearModule m : adapter.config().targetModules()) {
                ref.setLora(l, m, new Lora(toMatrix(adapter.a(l, m), r, m.inFeatures(c)),
                        toMatrix(adapter.b(l, m), m.outFeatures(c), r), adapter.config().scale()));
            }
        }
        return ref;
    }

    private static double[][] toMatrix(float[] f, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m[i][j] = f[i * cols + j];
            }
        }
        return m;
    }

    public void setLora(int layer, LinearModule m, Lora l) {
        lora.put(layer + "." + m.shortName(), l);
    }

    /** @return logits {@code [S][V]} for positions 0..S-1 */
    public double[][] forward(int[] ids) {
        int s = ids.length;
        int h = c.hiddenSize();
        double[][] emb = matrix(WeightNames.EMBED, c.vocabSize(), h);
        double[][] x = new double[s][];
        for (int t = 0; t < s; t++) {
            x[t] = emb[ids[t]].clone();
        }
        double[] inv = RotaryFrequencies.inverseFrequencies(c);
        for (int layer = 0; layer < c.numLayers(); layer++) {
            double[][] n = rmsNorm(x, vector(WeightNames.inputNorm(layer)));
            double[][] q = linear(n, layer, LinearModule.Q_PROJ);
            double[][] k = linear(n, layer, LinearModule.K_PROJ);
            double[][] v = linear(n, layer, LinearModule.V_PROJ);
            rope(q, c.numHeads(), inv);
            rope(k, c.numKvHeads(), inv);
            double[][] ctx = new double[s][c.qDim()];
            int d = c.headDim();
            for (int head = 0; head < c.numHeads(); head++) {
                int kvHead = head / c.groupSize();
                for (int t = 0; t < s; t++) {
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u <= t; u++) {
                        double dot = 0;
                        for (int i = 0; i < d; i++) {
                            dot += q[t][head * d + i] * k[u][kvHead * d + i];
                        }
                        scores[u] = dot / Math.sqrt(d);
                        max = Math.max(max, scores[u]);
                    }
                    double sum = 0;
                    for (int u = 0; u <= t; u++) {
                        scores[u] = Math.exp(scores[u] - max);
                        sum += scores[u];
                    }
                    for (int u = 0; u <= t; u++) {
                        for (int i = 0; i < d; i++) {
                            ctx[t][head * d + i] += scores[u] / sum * v[u][kvHead * d + i];
                        }
                    }
                }
            }
            add(x, linear(ctx, layer, LinearModule.O_PROJ));
            double[][] n2 = rmsNorm(x, vector(WeightNames.postAttentionNorm(layer)));
            double[][] gate = linear(n2, layer, LinearModule.GATE_PROJ);
            double[][] up = linear(n2, layer, LinearModule.UP_PROJ);
            for (int t = 0; t < s; t++) {
                for (int i = 0; i < gate[t].length; i++) {
                    double g = gate[t][i];
                    gate[t][i] = g / (1 + Math.exp(-g)) * up[t][i];
                }
            }
            add(x, linear(gate, layer, LinearModule.DOWN_PROJ));
        }
        double[][] out = rmsNorm(x, vector(WeightNames.FINAL_NORM));
        double[][] head = c.tieWordEmbeddings() ? emb : matrix(WeightNames.LM_HEAD, c.vocabSize(), h);
        return matmulT(out, head);
    }

    private double[][] rmsNorm(double[][] x, double[] w) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double ms = 0;
            for (double v : x[t]) {
                ms += v * v;
            }
            double r = 1 / Math.sqrt(ms / x[t].length + c.rmsNormEps());
            y[t] = new double[x[t].length];
            for (int i = 0; i < w.length; i++) {
                y[t][i] = x[t][i] * r * w[i];
            }
        }
        return y;
    }

    private void rope(double[][] x, int heads, double[] inv) {
        int d = c.headDim();
        int half = d / 2;
        for (int t = 0; t < x.length; t++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < half; i++) {
                    double a = t * inv[i];
                    double x1 = x[t][h * d + i];
                    double x2 = x[t][h * d + half + i];
                    x[t][h * d + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
                    x[t][h * d + half + i] = x2 * Math.cos(a) + x1 * Math.sin(a);
                }
            }
        }
    }

    private double[][] linear(double[][] x, int layer, LinearModule m) {
        double[][] y = matmulT(x, matrix(WeightNames.linear(layer, m), m.outFeatures(c), m.inFeatures(c)));
        if (m.hasBias(c)) {
            double[] b = vector(WeightNames.bias(layer, m));
            for (double[] row : y) {
                for (int i = 0; i < b.length; i++) {
                    row[i] += b[i];
                }
            }
        }
        Lora l = lora.get(layer + "." + m.shortName());
        if (l != null) {
            double[][] down = matmulT(x, l.a());
            double[][] delta = matmulT(down, l.b());
            for (int t = 0; t < y.length; t++) {
                for (int i = 0; i < y[t].length; i++) {
                    y[t][i] += l.scale() * delta[t][i];
                }
            }
        }
        return y;
    }

    /** {@code x [S][in] · Wᵀ} with {@code W [out][in]}. */
    private static double[][] matmulT(double[][] x, double[][] w) {
        double[][] y = new double[x.length][w.length];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < w.length; o++) {
                double acc = 0;
                double[] wo = w[o];
                for (int i = 0; i < wo.length; i++) {
                    acc += x[t][i] * wo[i];
                }
                y[t][o] = acc;
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) {
            for (int i = 0; i < x[t].length; i++) {
                x[t][i] += y[t][i];
            }
        }
    }

    private double[][] matrix(String name, int rows, int cols) {
        return matrices.computeIfAbsent(name, n -> {
            float[] f = ckpt.weights().floats(n);
            double[][] m = new double[rows][cols];
            for (int r = 0; r < rows; r++) {
                for (int col = 0; col < cols; col++) {
                    m[r][col] = f[r * cols + col];
                }
            }
            return m;
        });
    }

    private double[] vector(String name) {
        float[] f = ckpt.weights().floats(name);
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = f[i];
        }
        return v;
    }
}
