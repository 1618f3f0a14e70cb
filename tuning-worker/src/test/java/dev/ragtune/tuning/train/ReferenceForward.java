package dev.ragtune.tuning.train;

import dev.ragtune.common.lora.LoraAdapter;
import dev.ragtune.common.model.Checkpoint;
import dev.ragtune.common.model.LinearModule;
import dev.ragtune.common.model.ModelConfig;
import dev.ragtune.common.model.RotaryFrequencies;
import dev.ragtune.common.model.WeightNames;

/**
 * An independent, deliberately naive float64 forward of a Llama-family decoder (loops only), the
 * yardstick for the DJL model. Follows transformers' modeling_llama/qwen2 line by line.
 */
final class ReferenceForward {
    private final ModelConfig c;
    private final Checkpoint ckpt;
    private final LoraAdapter adapter;

    ReferenceForward(Checkpoint ckpt, LoraAdapter adapter) {
        this.c = ckpt.config();
        this.ckpt = ckpt;
        this.adapter = adapter;
    }

    /** @return logits [s][V] for one sequence */
    double[][] logits(int[] ids) {
        int s = ids.length;
        int hdim = c.hiddenSize();
        float[] emb = ckpt.weights().floats(WeightNames.EMBED);
        double[][] x = new double[s][hdim];
        for (int t = 0; t < s; t++) {
            for (int j = 0; j < hdim; j++) {
                x[t][j] = emb[ids[t] * hdim + j];
            }
        }
        double[] inv = RotaryFrequencies.inverseFrequencies(c);
        for (int l = 0; l < c.numLayers(); l++) {
            double[][] n = rms(x, ckpt.weights().floats(WeightNames.inputNorm(l)));
            double[][] q = linear(n, l, LinearModule.Q_PROJ);
            double[][] k = linear(n, l, LinearModule.K_PROJ);
            double[][] v = linear(n, l, LinearModule.V_PROJ);
            int d = c.headDim();
            rope(q, c.numHeads(), d, inv);
            rope(k, c.numKvHeads(), d, inv);
            double[][] ctx = new double[s][c.numHeads() * d];
            int g = c.numHeads() / c.numKvHeads();
            for (int h = 0; h < c.numHeads(); h++) {
                int kvh = h / g;
                for (int t = 0; t < s; t++) {
                    double[] sc = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u <= t; u++) {
                        double dot = 0;
                        for (int i = 0; i < d; i++) {
                            dot += q[t][h * d + i] * k[u][kvh * d + i];
                        }
                        sc[u] = dot / Math.sqrt(d);
                        max = Math.max(max, sc[u]);
                    }
                    double sum = 0;
                    for (int u = 0; u <= t; u++) {
                        sc[u] = Math.exp(sc[u] - max);
                        sum += sc[u];
                    }
                    for (int u = 0; u <= t; u++) {
                        for (int i = 0; i < d; i++) {
                            ctx[t][h * d + i] += sc[u] / sum * v[u][kvh * d + i];
                        }
                    }
                }
            }
            add(x, linear(ctx, l, LinearModule.O_PROJ));
            double[][] n2 = rms(x, ckpt.weights().floats(WeightNames.postAttentionNorm(l)));
            double[][] gate = linear(n2, l, LinearModule.GATE_PROJ);
            double[][] up = linear(n2, l, LinearModule.UP_PROJ);
            for (int t = 0; t < s; t++) {
                for (int i = 0; i < gate[t].length; i++) {
                    double gv = gate[t][i];
                    gate[t][i] = gv / (1 + Math.exp(-gv)) * up[t][i];
                }
            }
            add(x, linear(gate, l, LinearModule.DOWN_PROJ));
        }
        double[][] fin = rms(x, ckpt.weights().floats(WeightNames.FINAL_NORM));
        float[] head = ckpt.lmHead();
        double[][] logits = new double[s][c.vocabSize()];
        for (int t = 0; t < s; t++) {
            for (int vtok = 0; vtok < c.vocabSize(); vtok++) {
                double acc = 0;
                for (int j = 0; j < hdim; j++) {
                    acc += fin[t][j] * head[vtok * hdim + j];
                }
                logits[t][vtok] = acc;
            }
        }
        return logits;
    }

    private double[][] rms(double[][] x, float[] w) {
        double[][] out = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) {
            double ms = 0;
            for (double v : x[t]) {
                ms += v * v;
            }
            double r = 1.0 / Math.sqrt(ms / x[t].length + c.rmsNormEps());
            for (int j = 0; j < x[t].length; j++) {
                out[t][j] = x[t][j] * r * w[j];
            }
        }
        return out;
    }

    private double[][] linear(double[][] x, int layer, LinearModule m) {
        int in = m.inFeatures(c);
        int out = m.outFeatures(c);
        float[] w = ckpt.weights().floats(WeightNames.linear(layer, m));
        float[] b = m.hasBias(c) ? ckpt.weights().floats(WeightNames.bias(layer, m)) : null;
        boolean lora = adapter != null && adapter.config().targetModules().contains(m);
        int r = lora ? adapter.config().r() : 0;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            double[] ax = new double[r];
            if (lora) {
                float[] a = adapter.a(layer, m);
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < in; j++) {
                        ax[i] += a[i * in + j] * x[t][j];
                    }
                }
            }
            for (int o = 0; o < out; o++) {
                double acc = b == null ? 0 : b[o];
                for (int j = 0; j < in; j++) {
                    acc += w[o * in + j] * x[t][j];
                }
                if (lora) {
                    float[] bb = adapter.b(layer, m);
                    double l = 0;
                    for (int i = 0; i < r; i++) {
                        l += bb[o * r + i] * ax[i];
                    }
                    acc += adapter.config().scale() * l;
                }
                y[t][o] = acc;
            }
        }
        return y;
    }

    private static void rope(double[][] x, int heads, int d, double[] inv) {
        int half = d / 2;
        for (int t = 0; t < x.length; t++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < half; i++) {
                    double cos = Math.cos(t * inv[i]);
                    double sin = Math.sin(t * inv[i]);
                    double x1 = x[t][h * d + i];
                    double x2 = x[t][h * d + half + i];
                    x[t][h * d + i] = x1 * cos - x2 * sin;
                    x[t][h * d + half + i] = x2 * cos + x1 * sin;
                }
            }
        }
    }

    private static void add(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) {
            for (int j = 0; j < x[t].length; j++) {
                x[t][j] += y[t][j];
            }
        }
    }
}
