package dev.ragtune.model.onnx;

import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.checkpoint.RopeScaling;
import dev.ragtune.model.generate.DecoderState;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.OrtDecoder;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.onnx.FamilyCheckpoints.Family;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static dev.ragtune.model.onnx.OrtParityTest.maxAbsDiff;
import static dev.ragtune.model.onnx.OrtParityTest.randomIds;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each family's exported graph, run by ONNX Runtime in float32, against the float64 reference:
 * base and with a random non-zero adapter on all of the family's projections (Phi-3: the fused
 * ones), prefill and incremental KV-cache decoding, max |Δlogit| ≤ 1e-4. The 24-token sequences
 * reach beyond Mistral's (6) and Phi-3's (8) sliding windows and beyond Phi-3's longrope
 * {@code original_max_position_embeddings} (16).
 */
class FamilyParityTest {
    static final double TOLERANCE = 1e-4;
    static final int LENGTH = 24;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Family.class)
    void ortGraphMatchesFloat64ReferenceBaseAndAdapterPrefillAndDecode(Family family) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path dir = tmp.resolve("ckpt");
        FamilyCheckpoints.write(dir, family, seed % 1000);
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            ModelConfig c = ckpt.config();
            Path export = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP32);
            LoraAdapter adapter = OrtAdapterParityTest.randomAdapter(ckpt, random, 4, c.projections());
            Path adapterFile = tmp.resolve("a.onnx_adapter");
            OnnxAdapterWriter.write(adapter, adapterFile, false);
            int[] ids = randomIds(random, LENGTH, c.vocabSize());
            double[][] refBase = new ReferenceDecoder(ckpt).forward(ids);
            double[][] refLora = ReferenceDecoder.of(ckpt, adapter).forward(ids);
            // longrope: every forward of the decode must be past original_max_position_embeddings, as the full one is
            int prefill = c.ropeScaling() != null && c.ropeScaling().isLongrope()
                    ? c.ropeScaling().originalMaxPositionEmbeddings() + 1 : 3;
            try (OrtDecoder decoder = OrtDecoder.open(export, 0); OrtAdapter ortAdapter = OrtAdapter.load("a", adapterFile)) {
                double base = maxAbsDiff(refBase, decoder.logits(ids, null));
                double lora = maxAbsDiff(refLora, decoder.logits(ids, ortAdapter));
                double decodeBase = decode(decoder, null, ids, prefill, refBase);
                double decodeLora = decode(decoder, ortAdapter, ids, prefill, refLora);
                System.out.printf("%s max |Δ| vs float64: prefill base %.2e, adapter %.2e; decode base %.2e, adapter %.2e%n",
                        family, base, lora, decodeBase, decodeLora);
                assertThat(base).as("base, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                assertThat(lora).as("adapter, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                assertThat(decodeBase).as("decode base, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                assertThat(decodeLora).as("decode adapter, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
                assertThat(maxAbsDiff(refBase, decoder.logits(ids, ortAdapter))).as("the adapter must matter").isGreaterThan(1e-2);
            }
        }
    }

    /** Prefill {@code prefill} tokens, then one token at a time; max |Δ| of every row against the reference. */
    private static double decode(OrtDecoder decoder, OrtAdapter adapter, int[] ids, int prefill, double[][] ref) throws Exception {
        double m = 0;
        try (DecoderState state = decoder.newState(adapter)) {
            float[][] first = state.feed(Arrays.copyOf(ids, prefill), true);
            for (int t = 0; t < prefill; t++) {
                m = Math.max(m, maxAbsDiff(new double[][] {ref[t]}, new float[][] {first[t]}));
            }
            for (int t = prefill; t < ids.length; t++) {
                float[][] step = state.feed(new int[] {ids[t]}, false);
                m = Math.max(m, maxAbsDiff(new double[][] {ref[t]}, new float[][] {step[0]}));
            }
        }
        return m;
    }

    @Test
    void slidingWindowChangesTheLogitsBeyondTheWindowOnly() throws Exception {
        Path dir = tmp.resolve("mistral");
        FamilyCheckpoints.write(dir, Family.MISTRAL, 3);
        var noWindow = FamilyCheckpoints.configJson(Family.MISTRAL);
        noWindow.putNull("sliding_window");
        Path dir2 = tmp.resolve("mistral-full");
        FamilyCheckpoints.write(dir2, noWindow, 3);
        try (Checkpoint windowed = Checkpoint.open(dir); Checkpoint full = Checkpoint.open(dir2)) {
            int[] ids = randomIds(new Random(1), 12, windowed.config().vocabSize());
            double[][] a = new ReferenceDecoder(windowed).forward(ids);
            double[][] b = new ReferenceDecoder(full).forward(ids);
            for (int t = 0; t < 6; t++) {
                assertThat(a[t]).isEqualTo(b[t]);
            }
            assertThat(Math.abs(a[11][0] - b[11][0]) + Math.abs(a[11][1] - b[11][1])).isGreaterThan(1e-6);
        }
    }

    @Test
    void llama3ScalingOfTheTestCheckpointCoversAllThreeFrequencyRegions() throws Exception {
        Path dir = tmp.resolve("llama");
        ModelConfig c = FamilyCheckpoints.write(dir, Family.LLAMA3_ROPE, 1);
        RopeScaling s = c.ropeScaling();
        int kept = 0;
        int interpolated = 0;
        int divided = 0;
        for (int i = 0; i < c.headDim() / 2; i++) {
            double wavelength = 2 * Math.PI * Math.pow(c.ropeTheta(), 2.0 * i / c.headDim());
            if (wavelength < s.originalMaxPositionEmbeddings() / s.highFreqFactor()) {
                kept++;
            } else if (wavelength > s.originalMaxPositionEmbeddings() / s.lowFreqFactor()) {
                divided++;
            } else {
                interpolated++;
            }
        }
        assertThat(kept).isPositive();
        assertThat(interpolated).isPositive();
        assertThat(divided).isPositive();
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            double[] ref = new ReferenceDecoder(ckpt).inverseFrequencies(LENGTH);
            double[] prod = dev.ragtune.model.checkpoint.RotaryFrequencies.inverseFrequencies(c);
            for (int i = 0; i < ref.length; i++) {
                assertThat(prod[i]).isCloseTo(ref[i], org.assertj.core.data.Percentage.withPercentage(1e-9));
            }
        }
    }

    static LinearModule[] none() {
        return new LinearModule[0];
    }
}
