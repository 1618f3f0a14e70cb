package dev.ragtune.model.base;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Opened base models by checkpoint folder, so that a process opens, hashes and tokenizer-loads a checkpoint once
 * and not once per use: {@link #acquire} gives a reference to the cached {@link BaseModel} while the folder's
 * {@link CheckpointFingerprint} is unchanged (a few {@code stat} calls per acquire, no file read), and opens the
 * folder again once a model file was written, replaced, added or removed. A stale model stays usable by whoever
 * still holds a reference and is closed with the last one.
 *
 * <p>Thread-safe. Opening happens under the cache's lock: whoever asks for a folder while it is being opened waits
 * for that one opening rather than starting a second.
 */
public final class BaseModelCache implements AutoCloseable {
    private final Map<Path, BaseModel> models = new HashMap<>();
    private long opens;
    private boolean closed;

    /**
     * A reference to the base model in {@code dir}, opened now if it is not cached or its files changed; the caller
     * closes it.
     *
     * @throws dev.ragtune.model.ModelFormatException when the folder is not a valid checkpoint
     */
    public synchronized BaseModel acquire(Path dir) {
        if (closed) {
            throw new IllegalStateException("the base model cache is closed");
        }
        Path key = dir.toAbsolutePath().normalize();
        BaseModel cached = models.get(key);
        if (cached != null) {
            if (cached.isCurrent()) {
                return cached.retain();
            }
            models.remove(key);
            cached.close();
        }
        BaseModel opened = BaseModel.open(dir);
        opens++;
        models.put(key, opened);
        return opened.retain();
    }

    /**
     * A reference to the base model in {@code dir} that is acquired on its first {@link Reference#get()} (not now)
     * and given back when closed: for a task that needs the model only from some step on, and must fail at that step
     * (not before) when the folder is broken.
     */
    public Reference reference(Path dir) {
        return new Reference(this, dir);
    }

    /** See {@link #reference}. Not thread-safe: one task's. */
    public static final class Reference implements AutoCloseable {
        private final BaseModelCache cache;
        private final Path dir;
        private BaseModel model;

        private Reference(BaseModelCache cache, Path dir) {
            this.cache = cache;
            this.dir = dir;
        }

        /** The model, acquired on the first call; the same one afterwards. */
        public BaseModel get() {
            if (model == null) {
                model = cache.acquire(dir);
            }
            return model;
        }

        @Override
        public void close() {
            if (model != null) {
                model.close();
                model = null;
            }
        }
    }

    /** How many times this cache opened a checkpoint folder (each one's weights are hashed at most once). */
    public synchronized long opens() {
        return opens;
    }

    /** Gives back the cache's references: models nobody else holds are closed now, the others with their last user. */
    @Override
    public void close() {
        List<BaseModel> held;
        synchronized (this) {
            closed = true;
            held = new ArrayList<>(models.values());
            models.clear();
        }
        held.forEach(BaseModel::close);
    }
}
