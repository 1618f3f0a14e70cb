package dev.ragtune.model.onnx;

import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.OrtDecoder;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static dev.ragtune.model.onnx.OrtParityTest.maxAbsDiff;
import static dev.ragtune.model.onnx.OrtParityTest.randomIds;
import static org.assertj.core.api.Assertions.assertThat;

/** LoRA adapters applied by ONNX Runtime through {@code OrtLoraAdapter} + {@code RunOptions}. */
class OrtAdapterParityTest {
    @TempDir
    Path tmp;

    static LoraAdapter randomAdapter(Checkpoint ckpt, Random r, int rank, List<LinearModule> targets) {
        LoraAdapter adapter = LoraAdapter.zeros(new LoraConfig(rank, 2.0 * rank, targets), ckpt.config());
        for (int l = 0; l < ckpt.config().numLayers(); l++) {
            for (LinearModule m : targets) {
                float[] a = new float[rank * m.inFeatures(ckpt.config())];
                float[] b = new float[m.outFeatures(ckpt.config()) * rank];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (r.nextGaussian() * 0.1);
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (r.nextGaussian() * 0.1);
                }
                adapter.set(l, m, a, b);
            }
        }
        return adapter;
    }

    @Test
    void adapterThroughOrtMatchesFloat64ReferenceAndRequestsDoNotLeak() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path ckptDir = tmp.resolve("ckpt");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, 9);
        try (Checkpoint ckpt = Checkpoint.open(ckptDir)) {
            Path export = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP32);
            LoraAdapter all = randomAdapter(ckpt, random, 8, LinearModule.all());
            LoraAdapter some = randomAdapter(ckpt, random, 4, List.of(LinearModule.Q_PROJ, LinearModule.V_PROJ, LinearModule.DOWN_PROJ));
            OnnxAdapterWriter.write(all, tmp.resolve("all.onnx_adapter"), false);
            OnnxAdapterWriter.write(some, tmp.resolve("some.onnx_adapter"), false);
            int[] ids = randomIds(random, 16, ckpt.config().vocabSize());

            float[][] freshBase;
            try (OrtDecoder fresh = OrtDecoder.open(export, 0)) {
                freshBase = fresh.logits(ids, null);
            }
            try (OrtDecoder decoder = OrtDecoder.open(export, 0);
                 OrtAdapter a1 = OrtAdapter.load("all", tmp.resolve("all.onnx_adapter"));
                 OrtAdapter a2 = OrtAdapter.load("some", tmp.resolve("some.onnx_adapter"))) {
                // two adapters loaded at once, used concurrently over one session
                var f1 = CompletableFuture.supplyAsync(() -> logits(decoder, ids, a1));
                var f2 = CompletableFuture.supplyAsync(() -> logits(decoder, ids, a2));
                float[][] withAll = f1.get();
                float[][] withSome = f2.get();

                assertThat(maxAbsDiff(ReferenceDecoder.of(ckpt, all).forward(ids), withAll)).as("seed %d", seed).isLessThanOrEqualTo(1e-4);
                assertThat(maxAbsDiff(ReferenceDecoder.of(ckpt, some).forward(ids), withSome)).as("seed %d", seed).isLessThanOrEqualTo(1e-4);
                assertThat(maxAbsDiff(new ReferenceDecoder(ckpt).forward(ids), withAll)).as("the adapter must matter").isGreaterThan(1e-2);

                // a base request after adapter requests: bitwise equal to a fresh session's
                float[][] baseAfter = decoder.logits(ids, null);
                for (int t = 0; t < ids.length; t++) {
                    assertThat(baseAfter[t]).isEqualTo(freshBase[t]);
                }
            }
        }
    }

    private static float[][] logits(OrtDecoder decoder, int[] ids, OrtAdapter adapter) {
        try {
            return decoder.logits(ids, adapter);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
