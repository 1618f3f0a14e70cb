package dev.ragtune.model.generate;

import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.lora.PeftAdapterIO;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.model.onnx.OnnxExporter;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.model.tokenize.ModelTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A checkpoint ready to serve: exported once (cached by content hash), opened in ONNX Runtime,
 * with its tokenizer and a {@link Generator}. Adapters are validated against this base model
 * before they are loaded.
 */
public final class ServingModel implements AutoCloseable {
    private final ModelConfig config;
    private final String baseHash;
    private final Path exportDir;
    private final ModelTokenizer tokenizer;
    private final OrtDecoder decoder;
    private final Generator generator;

    private ServingModel(ModelConfig config, String baseHash, Path exportDir, ModelTokenizer tokenizer, OrtDecoder decoder) {
        this.config = config;
        this.baseHash = baseHash;
        this.exportDir = exportDir;
        this.tokenizer = tokenizer;
        this.decoder = decoder;
        this.generator = new Generator(decoder, tokenizer);
    }

    /**
     * @param cacheRoot      where exports are cached
     * @param intraOpThreads ONNX Runtime threads per request step, 0 = its default
     */
    public static ServingModel open(Path checkpointDir, Path cacheRoot, Precision precision, int intraOpThreads) {
        try (Checkpoint ckpt = Checkpoint.open(checkpointDir)) {
            String hash = ckpt.contentHash();
            Path export = OnnxExporter.exportCached(ckpt, cacheRoot, precision, hash);
            ModelTokenizer tokenizer = ModelTokenizer.load(checkpointDir, ckpt.config().eosTokenIds());
            try {
                return new ServingModel(ckpt.config(), hash, export, tokenizer, OrtDecoder.open(export, intraOpThreads));
            } catch (RuntimeException e) {
                tokenizer.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export " + checkpointDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads an adapter folder: PEFT files (validated against this base: shapes, targets, base
     * hash) and the {@code .onnx_adapter} derived from them (written beside them when missing).
     * A folder with only an {@code .onnx_adapter} is loaded as it is.
     */
    public OrtAdapter loadAdapter(String name, Path adapterDir) {
        Path onnxAdapter = adapterDir.resolve(OnnxAdapterWriter.FILE_NAME);
        if (Files.isRegularFile(adapterDir.resolve(PeftAdapterIO.CONFIG_FILE))) {
            LoraAdapter adapter = PeftAdapterIO.read(adapterDir, config, baseHash);
            if (!Files.isRegularFile(onnxAdapter)) {
                try {
                    OnnxAdapterWriter.write(adapter, onnxAdapter, false);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + onnxAdapter + ": " + e.getMessage(), e);
                }
            }
        } else if (!Files.isRegularFile(onnxAdapter)) {
            throw new ModelFormatException("adapter folder " + adapterDir + " has neither " + PeftAdapterIO.CONFIG_FILE
                    + " nor " + OnnxAdapterWriter.FILE_NAME);
        }
        return OrtAdapter.load(name, onnxAdapter);
    }

    public ModelConfig config() {
        return config;
    }

    public String baseHash() {
        return baseHash;
    }

    public Path exportDir() {
        return exportDir;
    }

    public ModelTokenizer tokenizer() {
        return tokenizer;
    }

    public OrtDecoder decoder() {
        return decoder;
    }

    public Generator generator() {
        return generator;
    }

    @Override
    public void close() {
        decoder.close();
        tokenizer.close();
    }
}
