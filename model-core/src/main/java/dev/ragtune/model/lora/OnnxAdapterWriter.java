package dev.ragtune.model.lora;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.ragtune.model.checkpoint.LinearModule;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an adapter as ONNX Runtime's {@code .onnx_adapter} file, the flatbuffers format that
 * {@code OrtLoraAdapter} loads (onnxruntime {@code lora/adapter_format/adapter_schema.fbs}):
 *
 * <pre>
 * namespace onnxruntime.adapters;
 * enum TensorDataType : int32 { ..., FLOAT = 1, ..., FLOAT16 = 10, ... }
 * table Parameter { name:string; dims:[int64]; data_type:TensorDataType; raw_data:[uint8] (force_align: 8); }
 * table Adapter { format_version:int; adapter_version:int; model_version:int; parameters:[Parameter]; }
 * root_type Adapter;
 * file_identifier "TORT";
 * </pre>
 *
 * ONNX Runtime accepts {@code format_version} 1 only. Parameters are named and laid out as the
 * exported graph's inputs ({@link OnnxLoraNames}): {@code lora_A = A^T [in, r]} and
 * {@code lora_B = scale · B^T [r, out]}, little-endian.
 */
public final class OnnxAdapterWriter {
    public static final String FILE_NAME = "adapter.onnx_adapter";
    public static final String FILE_IDENTIFIER = "TORT";
    public static final int FORMAT_VERSION = 1;
    static final int FLOAT = 1;
    static final int FLOAT16 = 10;

    private OnnxAdapterWriter() {
    }

    /**
     * Writes {@code target} atomically; {@code fp16} stores half-precision values — such a file loads, but ONNX
     * Runtime rejects it at the first run because the graph's LoRA inputs are float32 (decision 003, asserted by
     * {@code Fp16ParityTest}); every production caller writes float32.
     */
    public static void write(LoraAdapter adapter, Path target, boolean fp16) throws IOException {
        byte[] bytes = toBytes(adapter, fp16, 1, 1);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static byte[] toBytes(LoraAdapter adapter, boolean fp16, int adapterVersion, int modelVersion) {
        LoraConfig c = adapter.config();
        int r = c.r();
        float scale = (float) c.scale();
        long payload = 0;
        for (LinearModule m : c.targetModules()) {
            payload += (long) adapter.numLayers() * r * (adapter.inFeatures(m) + adapter.outFeatures(m)) * (fp16 ? 2 : 4);
        }
        if (payload > Integer.MAX_VALUE - (64L << 20)) {
            throw new IllegalArgumentException("adapter of " + payload + " bytes is too large for one flatbuffer (2 GiB)");
        }
        FlatBufferBuilder fb = new FlatBufferBuilder((int) Math.min(Integer.MAX_VALUE - 8, payload + (1 << 16)));
        List<Integer> params = new ArrayList<>();
        for (int l = 0; l < adapter.numLayers(); l++) {
            for (LinearModule m : c.targetModules()) {
                int in = adapter.inFeatures(m);
                int out = adapter.outFeatures(m);
                // lora_A = A^T : [in, r]
                float[] a = adapter.a(l, m);
                float[] at = new float[in * r];
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < in; j++) {
                        at[j * r + i] = a[i * in + j];
                    }
                }
                params.add(parameter(fb, OnnxLoraNames.a(l, m), new long[] {in, r}, at, fp16));
                // lora_B = scale · B^T : [r, out]
                float[] b = adapter.b(l, m);
                float[] bt = new float[r * out];
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < r; i++) {
                        bt[i * out + o] = scale * b[o * r + i];
                    }
                }
                params.add(parameter(fb, OnnxLoraNames.b(l, m), new long[] {r, out}, bt, fp16));
            }
        }
        fb.startVector(4, params.size(), 4);
        for (int i = params.size() - 1; i >= 0; i--) {
            fb.addOffset(params.get(i));
        }
        int paramsVec = fb.endVector();
        fb.startTable(4);
        fb.addInt(0, FORMAT_VERSION, 0);
        fb.addInt(1, adapterVersion, 0);
        fb.addInt(2, modelVersion, 0);
        fb.addOffset(3, paramsVec, 0);
        int root = fb.endTable();
        fb.finish(root, FILE_IDENTIFIER);
        return fb.sizedByteArray();
    }

    private static int parameter(FlatBufferBuilder fb, String name, long[] dims, float[] values, boolean fp16) {
        int nameOff = fb.createString(name);
        fb.startVector(8, dims.length, 8);
        for (int i = dims.length - 1; i >= 0; i--) {
            fb.addLong(dims[i]);
        }
        int dimsOff = fb.endVector();
        int elem = fp16 ? 2 : 4;
        // raw_data is declared force_align: 8, so the bytes start on an 8-byte boundary
        ByteBuffer raw = fb.createUnintializedVector(1, values.length * elem, 8).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (fp16) {
                raw.putShort(Float.floatToFloat16(v));
            } else {
                raw.putFloat(v);
            }
        }
        int rawOff = fb.endVector();
        fb.startTable(4);
        fb.addOffset(0, nameOff, 0);
        fb.addOffset(1, dimsOff, 0);
        fb.addInt(2, fp16 ? FLOAT16 : FLOAT, 0);
        fb.addOffset(3, rawOff, 0);
        return fb.endTable();
    }
}
