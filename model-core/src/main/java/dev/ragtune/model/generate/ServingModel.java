package dev.ragtune.model.generate;

import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.lora.PeftAdapterIO;
import dev.ragtune.model.base.BaseModel;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.model.tokenize.ModelTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A checkpoint ready to serve: exported once (cached by content hash), opened in ONNX Runtime,
 * with its tokenizer and a {@link Generator}. Adapters are validated against this base model
 * before they are loaded. Holds a reference to its {@link BaseModel} (tokenizer, config, hash)
 * until closed.
 */
public final class ServingModel implements AutoCloseable {
    private final BaseModel base;
    private final Path exportDir;
    private final OrtDecoder decoder;
    private final Generator generator;

    private ServingModel(BaseModel base, Path exportDir, OrtDecoder decoder) {
        this.base = base;
        this.exportDir = exportDir;
        this.decoder = decoder;
        this.generator = new Generator(decoder, base.tokenizer());
    }

    /**
     * @param cacheRoot      where exports are cached
     * @param intraOpThreads ONNX Runtime threads per request step, 0 = its default
     */
    public static ServingModel open(Path checkpointDir, Path cacheRoot, Precision precision, int intraOpThreads) {
        try (BaseModel base = BaseModel.open(checkpointDir)) {
            return open(base, cacheRoot, precision, intraOpThreads);
        }
    }

    /**
     * As {@link #open(Path, Path, Precision, int)} on a base model already opened: its hash keys the export cache
     * (no second hashing), its tokenizer is shared. The serving model takes a reference of its own; the caller keeps
     * (and closes) {@code base}.
     */
    public static ServingModel open(BaseModel base, Path cacheRoot, Precision precision, int intraOpThreads) {
        BaseModel ref = base.retain();
        try {
            Path export = ref.onnxExport(cacheRoot, precision);
            return new ServingModel(ref, export, OrtDecoder.open(export, intraOpThreads));
        } catch (IOException e) {
            ref.close();
            throw new UncheckedIOException("cannot export " + base.dir() + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            ref.close();
            throw e;
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
            LoraAdapter adapter = PeftAdapterIO.read(adapterDir, base.config(), base.contentHash());
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
        return base.config();
    }

    public String baseHash() {
        return base.contentHash();
    }

    public BaseModel base() {
        return base;
    }

    public Path exportDir() {
        return exportDir;
    }

    public ModelTokenizer tokenizer() {
        return base.tokenizer();
    }

    public OrtDecoder decoder() {
        return decoder;
    }

    public Generator generator() {
        return generator;
    }

    @Override
    public void close() {
        try {
            decoder.close();
        } finally {
            base.close();
        }
    }
}
