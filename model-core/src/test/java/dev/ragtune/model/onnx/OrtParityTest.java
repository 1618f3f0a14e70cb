package dev.ragtune.model.onnx;

import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.generate.DecoderState;
import dev.ragtune.model.generate.OrtDecoder;
import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.Checkpoint;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exported ONNX graph, run by ONNX Runtime in float32, against the float64 reference forward:
 * max |Δlogit| ≤ 1e-4. Inputs are fresh random token ids on every run (the seed is in the message).
 */
class OrtParityTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN2", "LLAMA"})
    void exportedGraphMatchesFloat64Reference(Architecture arch) throws Exception {
        long seed = System.nanoTime();
        Path ckptDir = tmp.resolve("ckpt");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, seed % 1000, arch);
        try (Checkpoint ckpt = Checkpoint.open(ckptDir)) {
            Path export = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP32);
            int[] ids = randomIds(new Random(seed), 24, ckpt.config().vocabSize());
            double[][] expected = new ReferenceDecoder(ckpt).forward(ids);
            try (OrtDecoder decoder = OrtDecoder.open(export, 0)) {
                float[][] actual = decoder.logits(ids, null);
                assertThat(maxAbsDiff(expected, actual)).as("seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                assertThat(spread(actual)).as("logits must not be constant").isGreaterThan(1e-3);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN2"})
    void incrementalDecodingOnTheKvCacheEqualsFullSequenceForward(Architecture arch) throws Exception {
        long seed = System.nanoTime();
        Path ckptDir = tmp.resolve("ckpt");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, 3, arch);
        try (Checkpoint ckpt = Checkpoint.open(ckptDir)) {
            Path export = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP32);
            int[] ids = randomIds(new Random(seed), 20, ckpt.config().vocabSize());
            try (OrtDecoder decoder = OrtDecoder.open(export, 0)) {
                float[][] full = decoder.logits(ids, null);
                try (DecoderState state = decoder.newState(null)) {
                    int prefill = 7;
                    float[][] first = state.feed(java.util.Arrays.copyOf(ids, prefill), true);
                    for (int t = 0; t < prefill; t++) {
                        assertThat(maxAbsDiff(full[t], first[t])).isLessThanOrEqualTo(1e-5);
                    }
                    for (int t = prefill; t < ids.length; t++) {
                        float[][] step = state.feed(new int[] {ids[t]}, false);
                        assertThat(maxAbsDiff(full[t], step[0])).as("position %d, seed %d", t, seed).isLessThanOrEqualTo(1e-5);
                    }
                    assertThat(state.length()).isEqualTo(ids.length);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Precision.class)
    void exportIsCachedByContentHash(Precision precision) throws Exception {
        Path ckptDir = tmp.resolve("ckpt");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, 11);
        try (Checkpoint ckpt = Checkpoint.open(ckptDir)) {
            Path first = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), precision);
            long modified = Files.getLastModifiedTime(first.resolve(OnnxExporter.DATA_FILE)).toMillis();
            Path second = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), precision);
            assertThat(second).isEqualTo(first);
            assertThat(Files.getLastModifiedTime(second.resolve(OnnxExporter.DATA_FILE)).toMillis()).isEqualTo(modified);
            assertThat(first.resolve("genai_config.json")).exists();
            assertThat(first.resolve("tokenizer.json")).exists();
        }
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, 12);
        try (Checkpoint changed = Checkpoint.open(ckptDir)) {
            Path other = OnnxExporter.exportCached(changed, tmp.resolve("cache"), precision);
            assertThat(other.getFileName().toString()).doesNotStartWith(
                    Files.list(tmp.resolve("cache")).filter(p -> !p.equals(other)).findFirst().orElseThrow().getFileName().toString().substring(0, 16));
        }
    }

    static int[] randomIds(Random r, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }

    static double maxAbsDiff(double[][] a, float[][] b) {
        double m = 0;
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[t].length; i++) {
                m = Math.max(m, Math.abs(a[t][i] - b[t][i]));
            }
        }
        return m;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double spread(float[][] a) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (float[] row : a) {
            for (float v : row) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return max - min;
    }
}
