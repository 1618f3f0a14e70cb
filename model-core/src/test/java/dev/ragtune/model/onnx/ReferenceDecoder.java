package dev.ragtune.model.onnx;

import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.checkpoint.RopeScaling;
import dev.ragtune.model.checkpoint.WeightNames;

import java.util.HashMap;
import java.util.Map;

/**
 * An independent float64 forward of a decoder checkpoint in plain Java loops, written
 * straight from the equations (no ONNX, no DJL, and none of production's rotary code): the yardstick
 * both engines are compared with. Family traits come from the config's {@code ArchitectureSpec}.
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
        double embedScale = c.spec().scaleEmbeddings() ? Math.sqrt(h) : 1.0;
        for (int t = 0; t < s; t++) {
            x[t] = emb[ids[t]].clone();
            for (int i = 0; i < h; i++) {
                x[t][i] *= embedScale;
            }
        }
        double[] globalInv = inverseFrequencies(s, false);
        double[] localInv = c.ropeLocalBaseFreq() > 0 ? inverseFrequencies(s, true) : null;
        double ropeScale = c.ropeScaling() != null && c.ropeScaling().isLongrope() ? longropeAttentionFactor() : 1.0;
        for (int layer = 0; layer < c.numLayers(); layer++) {
            double[] inv = c.localRope(layer) ? localInv : globalInv;
            double[][] n = rmsNorm(x, vector(WeightNames.inputNorm(layer)));
            double[][] q;
            double[][] k;
            double[][] v;
            if (c.spec().fusedQkv()) {
                double[][] qkv = linear(n, layer, LinearModule.QKV_PROJ);
                q = columns(qkv, 0, c.qDim());
                k = columns(qkv, c.qDim(), c.kvDim());
                v = columns(qkv, c.qDim() + c.kvDim(), c.kvDim());
            } else {
                q = linear(n, layer, LinearModule.Q_PROJ);
                k = linear(n, layer, LinearModule.K_PROJ);
                v = linear(n, layer, LinearModule.V_PROJ);
            }
            if (c.spec().qkNorm()) {
                headNorm(q, c.numHeads(), vector(WeightNames.qNorm(layer)));
                headNorm(k, c.numKvHeads(), vector(WeightNames.kNorm(layer)));
            }
            rope(q, c.numHeads(), inv, ropeScale);
            rope(k, c.numKvHeads(), inv, ropeScale);
            int window = c.slidingWindow(layer);
            // 1/√D, or Gemma's 1/√query_pre_attn_scalar
            double scale = 1 / Math.sqrt(c.queryPreAttnScalar() > 0 ? c.queryPreAttnScalar() : c.headDim());
            double[][] ctx = new double[s][c.qDim()];
            int d = c.headDim();
            for (int head = 0; head < c.numHeads(); head++) {
                int kvHead = head / c.groupSize();
                for (int t = 0; t < s; t++) {
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    int first = window > 0 ? Math.max(0, t - window + 1) : 0; // keys u with t - u < window
                    for (int u = first; u <= t; u++) {
                        double dot = 0;
                        for (int i = 0; i < d; i++) {
                            dot += q[t][head * d + i] * k[u][kvHead * d + i];
                        }
                        scores[u] = dot * scale;
                        if (c.attnLogitSoftcapping() > 0) {
                            scores[u] = c.attnLogitSoftcapping() * Math.tanh(scores[u] / c.attnLogitSoftcapping());
                        }
                        max = Math.max(max, scores[u]);
                    }
                    double sum = 0;
                    for (int u = first; u <= t; u++) {
                        scores[u] = Math.exp(scores[u] - max);
                        sum += scores[u];
                    }
                    for (int u = first; u <= t; u++) {
                        for (int i = 0; i < d; i++) {
                            ctx[t][head * d + i] += scores[u] / sum * v[u][kvHead * d + i];
                        }
                    }
                }
            }
            double[][] attnOut = linear(ctx, layer, LinearModule.O_PROJ);
            boolean sandwich = c.spec().sandwichNorms();
            add(x, sandwich ? rmsNorm(attnOut, vector(WeightNames.postAttentionNorm(layer))) : attnOut);
            double[][] n2 = rmsNorm(x, vector(sandwich ? WeightNames.preFeedforwardNorm(layer) : WeightNames.postAttentionNorm(layer)));
            double[][] gate;
            double[][] up;
            if (c.spec().fusedGateUp()) {
                double[][] gateUp = linear(n2, layer, LinearModule.GATE_UP_PROJ);
                gate = columns(gateUp, 0, c.intermediateSize());
                up = columns(gateUp, c.intermediateSize(), c.intermediateSize());
            } else {
                gate = linear(n2, layer, LinearModule.GATE_PROJ);
                up = linear(n2, layer, LinearModule.UP_PROJ);
            }
            for (int t = 0; t < s; t++) {
                for (int i = 0; i < gate[t].length; i++) {
                    double g = gate[t][i];
                    double act = c.spec().activation() == dev.ragtune.model.checkpoint.ArchitectureSpec.Activation.SILU
                            ? g / (1 + Math.exp(-g))
                            : 0.5 * g * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g)));
                    gate[t][i] = act * up[t][i];
                }
            }
            double[][] mlpOut = linear(gate, layer, LinearModule.DOWN_PROJ);
            add(x, sandwich ? rmsNorm(mlpOut, vector(WeightNames.postFeedforwardNorm(layer))) : mlpOut);
        }
        double[][] out = rmsNorm(x, vector(WeightNames.FINAL_NORM));
        double[][] head = c.tieWordEmbeddings() ? emb : matrix(WeightNames.LM_HEAD, c.vocabSize(), h);
        double[][] logits = matmulT(out, head);
        if (c.finalLogitSoftcapping() > 0) {
            for (double[] row : logits) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = c.finalLogitSoftcapping() * Math.tanh(row[i] / c.finalLogitSoftcapping());
                }
            }
        }
        return logits;
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
                y[t][i] = x[t][i] * r * (c.spec().normWeightOffset() + w[i]); // w, or Gemma's 1 + w
            }
        }
        return y;
    }

    /**
     * RoPE inverse frequencies from the formulas, for a forward over {@code length} tokens:
     * {@code θ_i = base^(-2i/R)} over the rotary dimension {@code R = head_dim · partial_rotary_factor};
     * Llama 3: wavelengths {@code 2π/θ} above {@code L/low} divided by the factor, below {@code L/high} kept,
     * interpolated with {@code smooth = (L/λ − low)/(high − low)} between; longrope: {@code θ_i / f_i} with the
     * short factors, or the long ones when {@code length > original_max_position_embeddings}.
     */
    double[] inverseFrequencies(int length) {
        return inverseFrequencies(length, false);
    }

    /** @param local Gemma's sliding-window layers: base rope_local_base_freq, no scaling */
    double[] inverseFrequencies(int length, boolean local) {
        int r = (int) (c.headDim() * c.partialRotaryFactor());
        double[] inv = new double[r / 2];
        RopeScaling rs = local ? null : c.ropeScaling();
        double base = local ? c.ropeLocalBaseFreq() : c.ropeTheta();
        for (int i = 0; i < r / 2; i++) {
            double theta = Math.exp(-Math.log(base) * (2.0 * i) / r);
            if (rs != null && "linear".equals(rs.type())) {
                theta = theta / rs.factor();
            } else if (rs != null && "llama3".equals(rs.type())) {
                double lambda = 2 * Math.PI / theta;
                double lo = rs.originalMaxPositionEmbeddings() / rs.lowFreqFactor();
                double hi = rs.originalMaxPositionEmbeddings() / rs.highFreqFactor();
                if (lambda > lo) {
                    theta = theta / rs.factor();
                } else if (lambda >= hi) {
                    double smooth = (rs.originalMaxPositionEmbeddings() / lambda - rs.lowFreqFactor())
                            / (rs.highFreqFactor() - rs.lowFreqFactor());
                    theta = smooth * theta + (1 - smooth) * theta / rs.factor();
                }
            } else if (rs != null && rs.isLongrope()) {
                double[] f = length > rs.originalMaxPositionEmbeddings() ? rs.longFactor() : rs.shortFactor();
                theta = theta / f[i];
            }
            inv[i] = theta;
        }
        return inv;
    }

    /** Longrope's cos/sin scale: {@code √(1 + ln(s)/ln(L))} with {@code s = max_position / L}, 1 when s ≤ 1. */
    private double longropeAttentionFactor() {
        double s = (double) c.maxPositionEmbeddings() / c.ropeScaling().originalMaxPositionEmbeddings();
        return s <= 1 ? 1.0 : Math.sqrt(1 + Math.log(s) / Math.log(c.ropeScaling().originalMaxPositionEmbeddings()));
    }

    /** Rotate-half RoPE on the first R dimensions of each head; the rest pass through. */
    private void rope(double[][] x, int heads, double[] inv, double scale) {
        int d = c.headDim();
        int half = inv.length;
        for (int t = 0; t < x.length; t++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < half; i++) {
                    double a = t * inv[i];
                    double x1 = x[t][h * d + i];
                    double x2 = x[t][h * d + half + i];
                    x[t][h * d + i] = (x1 * Math.cos(a) - x2 * Math.sin(a)) * scale;
                    x[t][h * d + half + i] = (x2 * Math.cos(a) + x1 * Math.sin(a)) * scale;
                }
            }
        }
    }

    /** RMSNorm over each head's D values (Qwen3's q_norm / k_norm), in place. */
    private void headNorm(double[][] x, int heads, double[] w) {
        int d = c.headDim();
        for (double[] row : x) {
            for (int h = 0; h < heads; h++) {
                double ms = 0;
                for (int i = 0; i < d; i++) {
                    ms += row[h * d + i] * row[h * d + i];
                }
                double r = 1 / Math.sqrt(ms / d + c.rmsNormEps());
                for (int i = 0; i < d; i++) {
                    row[h * d + i] = row[h * d + i] * r * (c.spec().normWeightOffset() + w[i]);
                }
            }
        }
    }

    private static double[][] columns(double[][] x, int from, int count) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            y[t] = java.util.Arrays.copyOfRange(x[t], from, from + count);
        }
        return y;
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
