package dev.ragtune.model.generate;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.model.onnx.OnnxExporter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One ONNX Runtime session over an exported decoder folder. Thread-safe: every sequence gets its
 * own {@link DecoderState} (KV cache and adapter) and they run concurrently over this session.
 */
public final class OrtDecoder implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelConfig config;
    private final int contextLength;
    private final Set<String> outputNames;

    private OrtDecoder(OrtEnvironment env, OrtSession session, ModelConfig config, int contextLength) {
        this.env = env;
        this.session = session;
        this.config = config;
        this.contextLength = contextLength;
        this.outputNames = new LinkedHashSet<>(session.getOutputNames());
    }

    /** @param intraOpThreads 0 lets ONNX Runtime choose */
    public static OrtDecoder open(Path exportDir, int intraOpThreads) {
        Path model = exportDir.resolve(OnnxExporter.MODEL_FILE);
        if (!Files.isRegularFile(model)) {
            throw new ModelFormatException(exportDir + " is not an exported model: " + OnnxExporter.MODEL_FILE + " is missing");
        }
        ModelConfig config = ModelConfig.read(exportDir.resolve("config.json"));
        int context;
        try {
            context = new ObjectMapper().readTree(exportDir.resolve(OnnxExporter.MANIFEST_FILE).toFile())
                    .path("contextLength").asInt(config.maxPositionEmbeddings());
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + exportDir.resolve(OnnxExporter.MANIFEST_FILE) + ": " + e.getMessage(), e);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // LoRA inputs deliberately have initializer defaults; ORT warns about each one otherwise
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            return new OrtDecoder(env, env.createSession(model.toString(), options), config, context);
        } catch (OrtException e) {
            throw new ModelFormatException("ONNX Runtime cannot load " + model + ": " + e.getMessage(), e);
        }
    }

    /** A fresh sequence, optionally with an adapter ({@code null} = base model). */
    public DecoderState newState(OrtAdapter adapter) {
        try {
            return new DecoderState(this, adapter);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot prepare a decoding state: " + e.getMessage(), e);
        }
    }

    /** Logits of every position of {@code ids} in one full-sequence forward: {@code [S][V]}. */
    public float[][] logits(int[] ids, OrtAdapter adapter) throws OrtException {
        try (DecoderState s = newState(adapter)) {
            return s.feed(ids, true);
        }
    }

    public ModelConfig config() {
        return config;
    }

    public int contextLength() {
        return contextLength;
    }

    OrtEnvironment env() {
        return env;
    }

    OrtSession session() {
        return session;
    }

    Set<String> outputNames() {
        return outputNames;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
