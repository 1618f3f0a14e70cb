package dev.ragtune.model.onnx;

import static dev.ragtune.model.onnx.OrtParityTest.maxAbsDiff;
import static dev.ragtune.model.onnx.OrtParityTest.randomIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.generate.OrtAdapter;
import dev.ragtune.model.generate.OrtDecoder;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.safetensors.DType;
import dev.ragtune.model.safetensors.SafetensorsFile;
import dev.ragtune.model.safetensors.SafetensorsWriter;
import dev.ragtune.model.safetensors.TensorInfo;

/**
 * Numeric parity of the half-precision paths (decision 003: FP16 stores weights as float16 and computes in float32),
 * on fresh random checkpoints, adapters and token ids every run (the seed is in each message):
 * <ul>
 *   <li>an FP16 export, run by ONNX Runtime, against the float64 {@link ReferenceDecoder} of the same checkpoint with
 *       every weight rounded to float16 by this test ({@link Float#floatToFloat16}, not the exporter's code):
 *       max |Δlogit| ≤ {@link #TOLERANCE}, the float32 parity bound of {@link OrtParityTest} — rounding the weights
 *       is the only difference the FP16 export may make;</li>
 *   <li>a random float32 adapter on the FP16 export against the reference of the rounded checkpoint with that
 *       adapter: ≤ {@link #TOLERANCE};</li>
 *   <li>what rounding costs: FP16 against FP32 export logits on the unrounded weights differ, by at most
 *       {@link #ROUNDING_TOLERANCE} of the largest |logit|.</li>
 * </ul>
 */
class Fp16ParityTest {
    /** max |Δlogit| between ORT and the float64 reference once both use the same float16-rounded values. */
    static final double TOLERANCE = 1e-4;
    /**
     * max |Δlogit| between the FP16 and the FP32 export of the same (unrounded) weights, relative to the largest
     * |logit|: float16 keeps 11 significant bits (relative rounding error ≤ 2⁻¹¹ ≈ 4.9e-4 per weight).
     */
    static final double ROUNDING_TOLERANCE = 1e-2;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN2", "LLAMA"})
    void fp16ExportMatchesTheFloat64ReferenceOfTheRoundedWeights(Architecture arch) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path ckptDir = tmp.resolve("ckpt");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, Math.floorMod(seed, 1000), arch);
        Path roundedDir = roundedCopy(ckptDir, tmp.resolve("ckpt-rounded"));
        try (Checkpoint ckpt = Checkpoint.open(ckptDir); Checkpoint rounded = Checkpoint.open(roundedDir)) {
            Path fp16 = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP16);
            Path fp32 = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP32);
            int[] ids = randomIds(random, 24, ckpt.config().vocabSize());
            double[][] reference = new ReferenceDecoder(rounded).forward(ids);
            float[][] half;
            float[][] full;
            try (OrtDecoder d = OrtDecoder.open(fp16, 0)) {
                half = d.logits(ids, null);
            }
            try (OrtDecoder d = OrtDecoder.open(fp32, 0)) {
                full = d.logits(ids, null);
            }
            double toReference = maxAbsDiff(reference, half);
            double toFp32 = maxAbsDiffOfFloats(full, half);
            double scale = maxAbs(full);
            System.out.printf("fp16 %s seed %d: |fp16 - ref(rounded)| %.3g, |fp16 - fp32| %.3g, max |logit| %.3g%n", arch,
                    seed, toReference, toFp32, scale);
            assertThat(toReference).as("FP16 export vs float64 reference of the rounded weights, seed %d", seed)
                    .isLessThanOrEqualTo(TOLERANCE);
            assertThat(OrtParityTest.spread(half)).as("logits must not be constant").isGreaterThan(1e-3);
            assertThat(toFp32).as("the FP16 export really rounds the weights, seed %d", seed).isGreaterThan(0);
            assertThat(toFp32 / scale).as("FP16 vs FP32 export, relative to the largest |logit|, seed %d", seed)
                    .isLessThanOrEqualTo(ROUNDING_TOLERANCE);
        }
    }

    @Test
    void anAdapterOnTheFp16ExportMatchesTheFloat64ReferenceOfTheRoundedWeights() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path ckptDir = tmp.resolve("ckpt");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, Math.floorMod(seed, 1000));
        Path roundedDir = roundedCopy(ckptDir, tmp.resolve("ckpt-rounded"));
        try (Checkpoint ckpt = Checkpoint.open(ckptDir); Checkpoint rounded = Checkpoint.open(roundedDir)) {
            LoraAdapter adapter = OrtAdapterParityTest.randomAdapter(ckpt, random, 8, LinearModule.all());
            Path file = tmp.resolve("adapter.onnx_adapter");
            OnnxAdapterWriter.write(adapter, file, false);
            int[] ids = randomIds(random, 16, ckpt.config().vocabSize());
            Path fp16 = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), Precision.FP16);
            float[][] logits;
            try (OrtAdapter a = OrtAdapter.load("adapter", file); OrtDecoder d = OrtDecoder.open(fp16, 0)) {
                logits = d.logits(ids, a);
            }
            double diff = maxAbsDiff(ReferenceDecoder.of(rounded, adapter).forward(ids), logits);
            System.out.printf("fp16 export + adapter seed %d: |ort - ref(rounded)| %.3g%n", seed, diff);
            assertThat(diff).as("adapter on the FP16 export, seed %d", seed).isLessThanOrEqualTo(TOLERANCE);
            assertThat(maxAbsDiff(new ReferenceDecoder(rounded).forward(ids), logits)).as("the adapter must matter")
                    .isGreaterThan(1e-2);
        }
    }

    /**
     * Known limit, asserted so that it cannot go unnoticed: {@code OnnxAdapterWriter.write(…, fp16 = true)} writes a
     * file ONNX Runtime loads, but the graph's LoRA inputs are float32 (decision 003) and ORT does not convert, so
     * the first generation with it fails. No production path writes float16 adapters (the trainer, PEFT conversion
     * and serving write float32). Making them usable (e.g. widening to float32 on load) must replace this test with
     * a parity check against {@link ReferenceDecoder} of the rounded adapter at {@link #TOLERANCE}.
     */
    @Test
    void aFloat16AdapterFileIsRejectedByOnnxRuntimeAtFirstUse() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path ckptDir = tmp.resolve("ckpt");
        DemoCheckpointWriter.write(ckptDir, DemoPreset.TINY, Math.floorMod(seed, 1000));
        try (Checkpoint ckpt = Checkpoint.open(ckptDir)) {
            LoraAdapter adapter = OrtAdapterParityTest.randomAdapter(ckpt, random, 8, LinearModule.all());
            Path file = tmp.resolve("half.onnx_adapter");
            OnnxAdapterWriter.write(adapter, file, true);
            int[] ids = randomIds(random, 8, ckpt.config().vocabSize());
            for (Precision precision : Precision.values()) {
                Path export = OnnxExporter.exportCached(ckpt, tmp.resolve("cache"), precision);
                try (OrtAdapter a = OrtAdapter.load("half", file); OrtDecoder d = OrtDecoder.open(export, 0)) {
                    assertThatThrownBy(() -> d.logits(ids, a)).as("float16 adapter on the %s export", precision)
                            .isInstanceOf(ai.onnxruntime.OrtException.class)
                            .hasMessageContaining("Unexpected input data type");
                }
            }
        }
    }

    static float round(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    static float[] round(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = round(values[i]);
        }
        return out;
    }

    /** A copy of the checkpoint folder whose weights are float32 values exactly representable in float16. */
    static Path roundedCopy(Path src, Path dst) throws IOException {
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().endsWith(".safetensors")) {
                    Files.copy(f, dst.resolve(f.getFileName()));
                    continue;
                }
                SafetensorsWriter w = new SafetensorsWriter();
                try (SafetensorsFile in = SafetensorsFile.open(f)) {
                    for (Map.Entry<String, String> e : in.metadata().entrySet()) {
                        w.metadata(e.getKey(), e.getValue());
                    }
                    for (TensorInfo t : in.tensors().values()) {
                        w.add(t.name(), DType.F32, t.shape(), round(in.readFloats(t.name())));
                    }
                    w.write(dst.resolve(f.getFileName()));
                }
            }
        }
        return dst;
    }

    static double maxAbsDiffOfFloats(float[][] a, float[][] b) {
        double max = 0;
        for (int t = 0; t < a.length; t++) {
            max = Math.max(max, OrtParityTest.maxAbsDiff(a[t], b[t]));
        }
        return max;
    }

    static double maxAbs(float[][] a) {
        double max = 0;
        for (float[] row : a) {
            for (float v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }
}
