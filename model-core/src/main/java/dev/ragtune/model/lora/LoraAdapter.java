package dev.ragtune.model.lora;

import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.ModelFormatException;

import java.util.EnumMap;
import java.util.Map;

/**
 * A LoRA adapter in memory: for every layer and target module the PEFT matrices
 * {@code A [r, in]} and {@code B [out, r]}, row-major float32. The adapted projection computes
 * {@code y = x W^T + scale · (x A^T) B^T} with {@code scale = config.scale()}.
 */
public final class LoraAdapter {
    private final LoraConfig config;
    private final int numLayers;
    private final Map<LinearModule, int[]> dims; // module -> {in, out}
    private final Map<LinearModule, float[][]> a; // module -> [layer] -> A
    private final Map<LinearModule, float[][]> b;

    private LoraAdapter(LoraConfig config, int numLayers, Map<LinearModule, int[]> dims) {
        this.config = config;
        this.numLayers = numLayers;
        this.dims = dims;
        this.a = new EnumMap<>(LinearModule.class);
        this.b = new EnumMap<>(LinearModule.class);
        for (LinearModule m : config.targetModules()) {
            a.put(m, new float[numLayers][]);
            b.put(m, new float[numLayers][]);
        }
    }

    /** An adapter with every matrix zero, shaped for {@code model}. */
    public static LoraAdapter zeros(LoraConfig config, ModelConfig model) {
        Map<LinearModule, int[]> dims = new EnumMap<>(LinearModule.class);
        for (LinearModule m : config.targetModules()) {
            dims.put(m, new int[] {m.inFeatures(model), m.outFeatures(model)});
        }
        LoraAdapter adapter = new LoraAdapter(config, model.numLayers(), dims);
        for (LinearModule m : config.targetModules()) {
            for (int l = 0; l < model.numLayers(); l++) {
                adapter.a.get(m)[l] = new float[config.r() * m.inFeatures(model)];
                adapter.b.get(m)[l] = new float[m.outFeatures(model) * config.r()];
            }
        }
        return adapter;
    }

    /** An empty adapter with explicit dimensions, to be filled with {@link #set}; used by readers. */
    static LoraAdapter empty(LoraConfig config, int numLayers, Map<LinearModule, int[]> dims) {
        return new LoraAdapter(config, numLayers, new EnumMap<>(dims));
    }

    /**
     * The same matrices under another config of equal rank, alpha scale and targets (e.g. with
     * the base model recorded). The matrices are shared, not copied.
     */
    public LoraAdapter withConfig(LoraConfig other) {
        if (other.r() != config.r() || other.scale() != config.scale() || !other.targetModules().equals(config.targetModules())) {
            throw new IllegalArgumentException("config " + other + " does not describe the same adapter as " + config);
        }
        LoraAdapter copy = new LoraAdapter(other, numLayers, new EnumMap<>(dims));
        copy.a.putAll(a);
        copy.b.putAll(b);
        return copy;
    }

    public LoraConfig config() {
        return config;
    }

    public int numLayers() {
        return numLayers;
    }

    public int inFeatures(LinearModule m) {
        return dimsOf(m)[0];
    }

    public int outFeatures(LinearModule m) {
        return dimsOf(m)[1];
    }

    /** PEFT's {@code lora_A.weight}, {@code [r, in]} row-major; the live array, not a copy. */
    public float[] a(int layer, LinearModule m) {
        return matrices(a, m)[layer];
    }

    /** PEFT's {@code lora_B.weight}, {@code [out, r]} row-major; the live array, not a copy. */
    public float[] b(int layer, LinearModule m) {
        return matrices(b, m)[layer];
    }

    /** Replaces one layer's matrices; lengths must match {@code r·in} and {@code out·r}. */
    public void set(int layer, LinearModule m, float[] aValues, float[] bValues) {
        int r = config.r();
        if (aValues.length != r * inFeatures(m) || bValues.length != outFeatures(m) * r) {
            throw new IllegalArgumentException("layer " + layer + " " + m.shortName() + ": expected A of "
                    + r * inFeatures(m) + " and B of " + outFeatures(m) * r + " values, got " + aValues.length
                    + " and " + bValues.length);
        }
        matrices(a, m)[layer] = aValues;
        matrices(b, m)[layer] = bValues;
    }

    /** Number of trainable values: {@code Σ layers Σ targets r·(in + out)}. */
    public long parameterCount() {
        long n = 0;
        for (LinearModule m : config.targetModules()) {
            n += (long) numLayers * config.r() * (inFeatures(m) + outFeatures(m));
        }
        return n;
    }

    /**
     * Checks that this adapter fits {@code model}: same number of layers, and every target
     * module's in/out features equal to the model's. The message names the mismatch.
     */
    public void requireCompatible(ModelConfig model, String source) {
        if (numLayers != model.numLayers()) {
            throw new ModelFormatException(source + ": adapter has " + numLayers + " layers but the base model has "
                    + model.numLayers() + "; it was trained for a different base model");
        }
        for (LinearModule m : config.targetModules()) {
            if (!model.projections().contains(m)) {
                throw new ModelFormatException(source + ": target module '" + m.shortName() + "' does not exist in "
                        + model.architecture().hfName() + "; its projections are "
                        + model.projections().stream().map(LinearModule::shortName).toList());
            }
            if (inFeatures(m) != m.inFeatures(model) || outFeatures(m) != m.outFeatures(model)) {
                throw new ModelFormatException(source + ": " + m.shortName() + " is [out=" + outFeatures(m) + ", in="
                        + inFeatures(m) + "] in the adapter but [out=" + m.outFeatures(model) + ", in="
                        + m.inFeatures(model) + "] in the base model; it was trained for a different base model");
            }
        }
    }

    private int[] dimsOf(LinearModule m) {
        int[] d = dims.get(m);
        if (d == null) {
            throw new IllegalArgumentException(m.shortName() + " is not a target module of this adapter ("
                    + config.targetModules() + ")");
        }
        return d;
    }

    private float[][] matrices(Map<LinearModule, float[][]> map, LinearModule m) {
        float[][] v = map.get(m);
        if (v == null) {
            throw new IllegalArgumentException(m.shortName() + " is not a target module of this adapter ("
                    + config.targetModules() + ")");
        }
        return v;
    }
}
