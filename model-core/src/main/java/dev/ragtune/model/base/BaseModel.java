package dev.ragtune.model.base;

import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.model.onnx.OnnxExporter;
import dev.ragtune.model.onnx.Precision;
import dev.ragtune.model.tokenize.ModelTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A base model checkpoint opened once, for everything that uses the same checkpoint: its config and
 * {@link ModelTokenizer} (loaded when opened), its {@link Checkpoint} (weights validated) and the content hash of its
 * config and weights (both on the first use of the weights: hashing reads every weight byte, and a user of the
 * tokenizer alone, such as the worker's record validation, need not pay for it), and its ONNX export (the export cache
 * is keyed by that hash, which is never computed again). Training, evaluation and serving of one checkpoint share a
 * handle instead of each opening, hashing and loading the folder again; {@link BaseModelCache} keeps one per folder
 * for as long as its files do not change.
 *
 * <p>Thread-safe: config and hash are immutable once known, the weights are opened and hashed at most once (a failure
 * is not remembered: the next use tries again), tensors are read through positional memory maps, the tokenizer and
 * its chat template may be used from any thread, exports are made one at a time.
 *
 * <p>Reference-counted: {@link #open} returns a reference, {@link #retain} another one to the same model; each is
 * closed on its own ({@link #close} is idempotent per reference), and the checkpoint and the tokenizer are closed with
 * the last one. A closed reference refuses to be used.
 */
public final class BaseModel implements AutoCloseable {
    private final Shared shared;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** What every reference to one opened model shares. */
    private static final class Shared {
        final Path dir;
        final CheckpointFingerprint fingerprint;
        final ModelConfig config;
        final ModelTokenizer tokenizer;
        final AtomicInteger references = new AtomicInteger(1);
        final Object exportLock = new Object();
        private Checkpoint checkpoint;
        private String contentHash;
        private boolean released;

        Shared(Path dir, CheckpointFingerprint fingerprint, ModelConfig config, ModelTokenizer tokenizer) {
            this.dir = dir;
            this.fingerprint = fingerprint;
            this.config = config;
            this.tokenizer = tokenizer;
        }

        /** Opens (validating every tensor) and hashes the weights on first use. */
        synchronized Checkpoint weights() {
            if (released) {
                throw new IllegalStateException("base model " + dir + " is closed");
            }
            if (checkpoint == null) {
                Checkpoint c = Checkpoint.open(dir);
                try {
                    contentHash = c.contentHash();
                } catch (RuntimeException | Error e) {
                    c.close();
                    throw e;
                }
                checkpoint = c;
            }
            return checkpoint;
        }

        synchronized String contentHash() {
            weights();
            return contentHash;
        }

        void release() {
            if (references.decrementAndGet() == 0) {
                synchronized (this) {
                    released = true;
                    try {
                        tokenizer.close();
                    } finally {
                        if (checkpoint != null) {
                            checkpoint.close();
                        }
                    }
                }
            }
        }
    }

    private BaseModel(Shared shared) {
        this.shared = shared;
    }

    /**
     * Opens the checkpoint folder: its config and tokenizer now, its weights on first use. The fingerprint is taken
     * first, so that files written while this runs make the handle stale rather than unnoticed.
     *
     * @throws ModelFormatException when the folder, its config or its tokenizer files are missing or malformed (the
     *                              checks {@link Checkpoint#open} starts with, in its order)
     */
    public static BaseModel open(Path dir) {
        CheckpointFingerprint fingerprint = CheckpointFingerprint.of(dir);
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException("checkpoint folder " + dir + " does not exist");
        }
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        for (String required : List.of("tokenizer.json", "tokenizer_config.json")) {
            if (!Files.isRegularFile(dir.resolve(required))) {
                throw new ModelFormatException("checkpoint " + dir + " has no " + required);
            }
        }
        ModelTokenizer tokenizer = ModelTokenizer.load(dir, config.eosTokenIds());
        return new BaseModel(new Shared(dir, fingerprint, config, tokenizer));
    }

    /** Another reference to this model, closed on its own. */
    public BaseModel retain() {
        live();
        int n;
        do {
            n = shared.references.get();
            if (n == 0) {
                throw new IllegalStateException("base model " + shared.dir + " is closed");
            }
        } while (!shared.references.compareAndSet(n, n + 1));
        return new BaseModel(shared);
    }

    /** The folder as it was given to {@link #open}. */
    public Path dir() {
        return shared.dir;
    }

    public CheckpointFingerprint fingerprint() {
        return shared.fingerprint;
    }

    /** Whether the folder's files are still those this handle opened (no file read; see {@link CheckpointFingerprint}). */
    public boolean isCurrent() {
        return CheckpointFingerprint.of(shared.dir).equals(shared.fingerprint);
    }

    /** The checkpoint, its weights validated; opened (and hashed) on the first call. */
    public Checkpoint checkpoint() {
        live();
        return shared.weights();
    }

    public ModelConfig config() {
        return shared.config;
    }

    /** The Hugging Face architecture name of the config, e.g. {@code Qwen2ForCausalLM}. */
    public String architecture() {
        return config().architecture().hfName();
    }

    /** {@link Checkpoint#contentHash()}, computed once, when the weights are first used. */
    public String contentHash() {
        live();
        return shared.contentHash();
    }

    public ModelTokenizer tokenizer() {
        live();
        return shared.tokenizer;
    }

    /**
     * The ONNX export of this checkpoint in {@code cacheRoot} ({@link OnnxExporter#exportCached}, keyed by the
     * content hash, computed once): made on first use, then found there. One export at a time per model.
     */
    public Path onnxExport(Path cacheRoot, Precision precision) throws IOException {
        live();
        synchronized (shared.exportLock) {
            return OnnxExporter.exportCached(shared.weights(), cacheRoot, precision, shared.contentHash());
        }
    }

    /** Gives this reference back; the last one closes the checkpoint and the tokenizer. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            shared.release();
        }
    }

    private void live() {
        if (closed.get()) {
            throw new IllegalStateException("this reference to base model " + shared.dir + " is closed");
        }
    }

    @Override
    public String toString() {
        return "BaseModel[" + shared.dir + "]";
    }
}
