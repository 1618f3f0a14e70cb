package dev.ragtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.checkpoint.ArchitectureSpec;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.checkpoint.WeightNames;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A decoder of the Llama lineage (Llama 2/3, Qwen2/3, Mistral, Phi-3) in DJL NDArray operations:
 * {@code logits = lm_head(norm(layer_{L-1}(… layer_0(embed(ids)))))}. Base weights are frozen
 * float32 arrays; a LoRA adapter adds trainable {@code A^T}/{@code B^T} arrays to its target modules.
 *
 * <p>Every intermediate array of a forward pass belongs to the manager of the input ids, so a
 * caller that runs the forward inside a sub-manager frees all of it by closing that manager.
 * Not thread-safe.
 */
public final class LlamaModel implements AutoCloseable {
    /**
     * Additive mask value above the diagonal. Large enough that exp underflows to exactly 0
     * (softmax rows are shifted by their max first), small enough that score + mask never
     * rounds to float32's extremes.
     */
    private static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray embed;   // [V, H]
    private final List<DecoderLayer> layers;
    private final RmsNorm finalNorm;
    private final NDArray lmHeadT; // [H, V]
    private final RotaryEmbedding rope;
    private final NDArray embedScale; // 0-d √H (used by families that scale embeddings)
    private LoraConfig loraConfig;

    private LlamaModel(ModelConfig config, NDManager manager, NDArray embed, List<DecoderLayer> layers,
                       RmsNorm finalNorm, NDArray lmHeadT) {
        this.config = config;
        this.manager = manager;
        this.embed = embed;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHeadT = lmHeadT;
        this.rope = new RotaryEmbedding(config);
        this.embedScale = EngineArrays.scalar(manager, (float) Math.sqrt(config.hiddenSize()));
    }

    /**
     * Copies a checkpoint's weights into float32 arrays of a new sub-manager of {@code parent}
     * (on the parent's device). The checkpoint can be closed afterwards.
     */
    public static LlamaModel load(Checkpoint checkpoint, NDManager parent) {
        ModelConfig c = checkpoint.config();
        NDManager m = parent.newSubManager();
        try {
            var w = checkpoint.weights();
            NDArray embed = m.create(w.floats(WeightNames.EMBED), new Shape(c.vocabSize(), c.hiddenSize()));
            List<DecoderLayer> layers = new ArrayList<>();
            for (int i = 0; i < c.numLayers(); i++) {
                Map<LinearModule, LoraLinear> lin = new LinkedHashMap<>();
                for (LinearModule mod : c.projections()) {
                    int out = mod.outFeatures(c);
                    int in = mod.inFeatures(c);
                    NDArray weight = m.create(w.floats(WeightNames.linear(i, mod)), new Shape(out, in));
                    NDArray bias = mod.hasBias(c) ? m.create(w.floats(WeightNames.bias(i, mod)), new Shape(out)) : null;
                    lin.put(mod, new LoraLinear(mod, weight.transpose(1, 0), bias));
                }
                boolean qkNorm = c.spec().qkNorm();
                Attention attn = new Attention(c, m, lin.get(LinearModule.Q_PROJ), lin.get(LinearModule.K_PROJ),
                        lin.get(LinearModule.V_PROJ), lin.get(LinearModule.QKV_PROJ), lin.get(LinearModule.O_PROJ),
                        qkNorm ? norm(m, w.floats(WeightNames.qNorm(i)), c) : null,
                        qkNorm ? norm(m, w.floats(WeightNames.kNorm(i)), c) : null);
                Mlp mlp = new Mlp(lin.get(LinearModule.GATE_PROJ), lin.get(LinearModule.UP_PROJ),
                        lin.get(LinearModule.GATE_UP_PROJ), lin.get(LinearModule.DOWN_PROJ),
                        c.spec().activation() == ArchitectureSpec.Activation.GELU_TANH);
                boolean sandwich = c.spec().sandwichNorms();
                layers.add(new DecoderLayer(norm(m, w.floats(WeightNames.inputNorm(i)), c), attn,
                        sandwich ? norm(m, w.floats(WeightNames.postAttentionNorm(i)), c) : null,
                        norm(m, w.floats(sandwich ? WeightNames.preFeedforwardNorm(i) : WeightNames.postAttentionNorm(i)), c),
                        mlp, sandwich ? norm(m, w.floats(WeightNames.postFeedforwardNorm(i)), c) : null, lin));
            }
            RmsNorm finalNorm = norm(m, w.floats(WeightNames.FINAL_NORM), c);
            NDArray head = c.tieWordEmbeddings() ? embed
                    : m.create(w.floats(WeightNames.LM_HEAD), new Shape(c.vocabSize(), c.hiddenSize()));
            return new LlamaModel(c, m, embed, layers, finalNorm, head.transpose(1, 0));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The norm's scale is {@code w}, or Gemma's {@code 1 + w} (the family's {@code normWeightOffset}). */
    private static RmsNorm norm(NDManager m, float[] w, ModelConfig c) {
        return new RmsNorm(m.create(c.spec().normScale(w), new Shape(w.length)), c.rmsNormEps());
    }

    public ModelConfig config() {
        return config;
    }

    /** The manager that owns the weights and the adapter's arrays. */
    public NDManager manager() {
        return manager;
    }

    // ---------------------------------------------------------------- adapters

    /** Installs {@code adapter} (copied; trainable from here on), replacing any previous one. */
    public void setAdapter(LoraAdapter adapter) {
        adapter.requireCompatible(config, "adapter");
        clearAdapter();
        LoraConfig lc = adapter.config();
        for (int l = 0; l < layers.size(); l++) {
            for (LinearModule mod : lc.targetModules()) {
                layers.get(l).linear(mod).setLora(manager, lc.r(), adapter.a(l, mod), adapter.b(l, mod), (float) lc.scale());
            }
        }
        this.loraConfig = lc;
    }

    /**
     * Installs a fresh adapter initialised as PEFT does (A Kaiming-uniform, B zero), from a
     * Java generator seeded with {@code seed}, so the start is the same on every engine and device.
     */
    public LoraAdapter newAdapter(LoraConfig lc, long seed) {
        LoraAdapter adapter = LoraAdapter.zeros(lc, config);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int l = 0; l < layers.size(); l++) {
            for (LinearModule mod : lc.targetModules()) {
                adapter.set(l, mod, LoraLinear.kaimingUniformA(lc.r(), mod.inFeatures(config), rnd), adapter.b(l, mod));
            }
        }
        setAdapter(adapter);
        return adapter;
    }

    public void clearAdapter() {
        layers.forEach(layer -> config.projections().forEach(m -> layer.linear(m).clearLora()));
        loraConfig = null;
    }

    /** The installed adapter's current values in PEFT layout (a copy), or null when none. */
    public LoraAdapter adapter() {
        if (loraConfig == null) {
            return null;
        }
        LoraAdapter out = LoraAdapter.zeros(loraConfig, config);
        for (int l = 0; l < layers.size(); l++) {
            for (LinearModule mod : loraConfig.targetModules()) {
                LoraLinear lin = layers.get(l).linear(mod);
                out.set(l, mod, lin.peftA(), lin.peftB());
            }
        }
        return out;
    }

    /** The trainable arrays by a stable name ({@code layers.{i}.{module}.A|B}), in a fixed order. */
    public Map<String, NDArray> trainableParameters() {
        Map<String, NDArray> p = new LinkedHashMap<>();
        if (loraConfig == null) {
            return p;
        }
        for (int l = 0; l < layers.size(); l++) {
            for (LinearModule mod : loraConfig.targetModules()) {
                LoraLinear lin = layers.get(l).linear(mod);
                p.put("layers." + l + "." + mod.shortName() + ".A", lin.loraAT);
                p.put("layers." + l + "." + mod.shortName() + ".B", lin.loraBT);
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- forward

    /**
     * Final hidden states after the last norm.
     *
     * @param ids [b, s] int64 token ids (positions 0..s-1); its manager owns every intermediate
     * @return [b, s, H]
     */
    public NDArray hidden(NDArray ids) {
        NDManager scope = ids.getManager();
        long b = ids.getShape().get(0);
        int s = (int) ids.getShape().get(1);
        NDArray x = embed.get(ids.reshape(-1));          // [b·s, H], owned by embed's manager
        x.attach(scope);
        x = x.reshape(b, s, config.hiddenSize());        // [b, s, H]
        if (config.spec().scaleEmbeddings()) {
            x = x.mul(embedScale);                       // Gemma: × √H
        }
        NDArray[] cs = rope.tables(scope, s, false);     // cos, sin: [s, r]
        NDArray[] local = config.ropeLocalBaseFreq() > 0 ? rope.tables(scope, s, true) : null; // Gemma's local layers
        Map<Integer, NDArray> masks = new java.util.HashMap<>(); // sliding window (0: none) → [s, s]
        for (int i = 0; i < layers.size(); i++) {
            NDArray mask = masks.computeIfAbsent(config.slidingWindow(i), w -> causalMask(scope, s, w));
            NDArray[] r = config.localRope(i) ? local : cs;
            x = layers.get(i).forward(x, r[0], r[1], mask);
        }
        return finalNorm.forward(x);
    }

    /** h [..., H] → logits [..., V]. */
    public NDArray project(NDArray hidden) {
        NDArray logits = hidden.matMul(lmHeadT);
        double cap = config.finalLogitSoftcapping();
        return cap > 0 ? logits.div(cap).tanh().mul(cap) : logits;
    }

    /** ids [b, s] int64 → logits [b, s, V], owned by the ids' manager. */
    public NDArray forward(NDArray ids) {
        return project(hidden(ids));
    }

    /**
     * Logits of full sequences (every row the same length, positions 0..n-1), float32
     * {@code [batch, seq, vocab]}, in a new array owned by {@code out}.
     */
    public NDArray logits(NDManager out, int[][] ids) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray result = forward(idsArray(scope, ids));
            result.attach(out);
            return result;
        }
    }

    /** As {@link #logits(NDManager, int[][])}, owned by this model's manager; close it when done. */
    public NDArray logits(int[][] ids) {
        return logits(manager, ids);
    }

    /** Greedy next token after {@code prefix} (full re-forward; meant for tests and small checks). */
    public int argmaxNext(int[] prefix) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray h = hidden(idsArray(scope, new int[][] {prefix}));   // [1, s, H]
            NDArray last = h.get(0).get(prefix.length - 1);              // [H]
            return (int) project(last).argMax().getLong();
        }
    }

    static NDArray idsArray(NDManager scope, int[][] ids) {
        int s = ids[0].length;
        long[] flat = new long[ids.length * s];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].length != s) {
                throw new IllegalArgumentException("every sequence of a batch must have the same length");
            }
            for (int t = 0; t < s; t++) {
                flat[i * s + t] = ids[i][t];
            }
        }
        return EngineArrays.owned(scope.create(flat, new Shape(ids.length, s)));
    }

    /** Query i sees key j when j ≤ i and, with a sliding window w > 0, i − j < w. */
    private static NDArray causalMask(NDManager scope, int s, int window) {
        float[] m = new float[s * s];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                if (j > i || (window > 0 && i - j >= window)) {
                    m[i * s + j] = MASKED;
                }
            }
        }
        return EngineArrays.owned(scope.create(m, new Shape(s, s)));
    }

    @Override
    public void close() {
        manager.close();
    }
}
