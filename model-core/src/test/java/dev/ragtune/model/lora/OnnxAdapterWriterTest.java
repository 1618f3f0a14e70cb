package dev.ragtune.model.lora;

import ai.onnxruntime.OrtLoraAdapter;
import com.google.flatbuffers.Table;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnnxAdapterWriterTest {
    static final ModelConfig MODEL = DemoPreset.TINY.config(Architecture.QWEN2);

    @TempDir
    Path tmp;

    /** Minimal readers over the two tables of ORT's adapter schema. */
    static final class FbParameter extends Table {
        FbParameter init(int pos, ByteBuffer bb) {
            __reset(pos, bb);
            return this;
        }

        String name() {
            int o = __offset(4);
            return o != 0 ? __string(o + bb_pos) : null;
        }

        long[] dims() {
            int o = __offset(6);
            long[] d = new long[__vector_len(o)];
            for (int i = 0; i < d.length; i++) {
                d[i] = bb.getLong(__vector(o) + i * 8);
            }
            return d;
        }

        int dataType() {
            int o = __offset(8);
            return o != 0 ? bb.getInt(o + bb_pos) : 0;
        }

        int rawStart() {
            return __vector(__offset(10));
        }

        int rawLength() {
            return __vector_len(__offset(10));
        }
    }

    static final class FbAdapter extends Table {
        FbAdapter init(ByteBuffer bb) {
            bb.order(ByteOrder.LITTLE_ENDIAN);
            __reset(bb.getInt(bb.position()) + bb.position(), bb);
            return this;
        }

        int field(int slot) {
            int o = __offset(4 + 2 * slot);
            return o != 0 ? bb.getInt(o + bb_pos) : 0;
        }

        List<FbParameter> parameters() {
            int o = __offset(10);
            int n = __vector_len(o);
            java.util.ArrayList<FbParameter> out = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(new FbParameter().init(__indirect(__vector(o) + i * 4), bb));
            }
            return out;
        }
    }

    @Test
    void writesOrtAdapterFormatWithTransposedScaledMatrices() throws Exception {
        LoraConfig config = new LoraConfig(4, 16, List.of(LinearModule.Q_PROJ, LinearModule.DOWN_PROJ));
        LoraAdapter adapter = PeftAdapterIOTest.randomAdapter(MODEL, config, 3);
        Path file = tmp.resolve(OnnxAdapterWriter.FILE_NAME);
        OnnxAdapterWriter.write(adapter, file, false);
        byte[] bytes = Files.readAllBytes(file);

        assertThat(new String(bytes, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("TORT");
        FbAdapter fa = new FbAdapter().init(ByteBuffer.wrap(bytes));
        assertThat(fa.field(0)).isEqualTo(1); // format_version
        List<FbParameter> params = fa.parameters();
        assertThat(params).hasSize(MODEL.numLayers() * 2 * 2);
        Map<String, FbParameter> byName = new HashMap<>();
        params.forEach(p -> byName.put(p.name(), p));

        FbParameter a = byName.get(OnnxLoraNames.a(2, LinearModule.DOWN_PROJ));
        FbParameter b = byName.get(OnnxLoraNames.b(2, LinearModule.DOWN_PROJ));
        assertThat(a.dims()).containsExactly(704, 4);
        assertThat(b.dims()).containsExactly(4, 256);
        assertThat(a.dataType()).isEqualTo(1);
        assertThat(a.rawLength()).isEqualTo(704 * 4 * 4);
        assertThat(a.rawStart() % 8).isZero();
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] peftA = adapter.a(2, LinearModule.DOWN_PROJ); // [r=4, in=704]
        float[] peftB = adapter.b(2, LinearModule.DOWN_PROJ); // [out=256, r=4]
        // lora_A[j, i] = A[i, j]
        assertThat(bb.getFloat(a.rawStart() + (10 * 4 + 3) * 4)).isEqualTo(peftA[3 * 704 + 10]);
        // lora_B[i, o] = (alpha/r) · B[o, i], alpha/r = 4
        assertThat(bb.getFloat(b.rawStart() + (2 * 256 + 100) * 4)).isEqualTo(4f * peftB[100 * 4 + 2]);

        try (OrtLoraAdapter ort = OrtLoraAdapter.create(file.toString())) {
            assertThat(ort).isNotNull();
        }
    }

    @Test
    void fp16AdapterLoadsInOnnxRuntime() throws Exception {
        LoraAdapter adapter = PeftAdapterIOTest.randomAdapter(MODEL, new LoraConfig(8, 8, LinearModule.all()), 5);
        Path file = tmp.resolve("half.onnx_adapter");
        OnnxAdapterWriter.write(adapter, file, true);
        FbAdapter fa = new FbAdapter().init(ByteBuffer.wrap(Files.readAllBytes(file)));
        assertThat(fa.parameters()).allSatisfy(p -> assertThat(p.dataType()).isEqualTo(10));
        try (OrtLoraAdapter ort = OrtLoraAdapter.create(file.toString())) {
            assertThat(ort).isNotNull();
        }
    }

    @Test
    void onnxRuntimeRejectsAFileThatIsNotAnAdapter() throws Exception {
        Path file = tmp.resolve("bad.onnx_adapter");
        Files.write(file, new byte[64]);
        assertThatThrownBy(() -> OrtLoraAdapter.create(file.toString())).isInstanceOf(ai.onnxruntime.OrtException.class);
    }
}
