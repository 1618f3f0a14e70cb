package dev.ragtune.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.checkpoint.RopeScaling;
import dev.ragtune.model.checkpoint.WeightNames;
import dev.ragtune.model.safetensors.DType;
import dev.ragtune.model.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Small checkpoints for tests. */
final class TestCheckpoints {
    private TestCheckpoints() {
    }

    /**
     * A small Llama checkpoint with weights large enough that errors show (std 0.15, norms around
     * 1), Llama 3 rope scaling, tied embeddings, 4/2 heads; the demo tokenizer files beside it.
     */
    static ModelConfig writeSmallLlama(Path dir, long seed, boolean qkvBias, boolean tied) throws IOException {
        DemoCheckpointWriter.write(dir, DemoPreset.TINY, seed); // tokenizer files; weights replaced below
        ModelConfig tiny = DemoPreset.TINY.config(Architecture.LLAMA);
        ModelConfig c = new ModelConfig(Architecture.LLAMA, 64, 96, 2, 4, 2, 16, tiny.vocabSize(), 1e-5, 500000.0,
                new RopeScaling("llama3", 8.0, 1.0, 4.0, 64), 2048, tied, qkvBias, "float32", null, tiny.eosTokenIds());
        SplittableRandom r = new SplittableRandom(seed);
        SafetensorsWriter w = new SafetensorsWriter();
        w.add(WeightNames.EMBED, DType.F32, new long[] {c.vocabSize(), c.hiddenSize()}, gaussian(r, c.vocabSize() * c.hiddenSize(), 0, 0.5));
        for (int i = 0; i < c.numLayers(); i++) {
            w.add(WeightNames.inputNorm(i), DType.F32, new long[] {c.hiddenSize()}, gaussian(r, c.hiddenSize(), 1, 0.2));
            w.add(WeightNames.postAttentionNorm(i), DType.F32, new long[] {c.hiddenSize()}, gaussian(r, c.hiddenSize(), 1, 0.2));
            for (LinearModule m : c.projections()) {
                w.add(WeightNames.linear(i, m), DType.F32, new long[] {m.outFeatures(c), m.inFeatures(c)},
                        gaussian(r, m.outFeatures(c) * m.inFeatures(c), 0, 0.15));
                if (m.hasBias(c)) {
                    w.add(WeightNames.bias(i, m), DType.F32, new long[] {m.outFeatures(c)}, gaussian(r, m.outFeatures(c), 0, 0.3));
                }
            }
        }
        w.add(WeightNames.FINAL_NORM, DType.F32, new long[] {c.hiddenSize()}, gaussian(r, c.hiddenSize(), 1, 0.2));
        if (!tied) {
            w.add(WeightNames.LM_HEAD, DType.F32, new long[] {c.vocabSize(), c.hiddenSize()}, gaussian(r, c.vocabSize() * c.hiddenSize(), 0, 0.2));
        }
        w.write(dir.resolve("model.safetensors"));
        new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), c.toJson());
        return c;
    }

    static float[] gaussian(SplittableRandom r, int n, double mean, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + std * r.nextGaussian());
        }
        return v;
    }
}
