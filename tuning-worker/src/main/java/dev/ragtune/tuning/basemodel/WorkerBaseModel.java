package dev.ragtune.tuning.basemodel;

import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.ragtune.model.base.BaseModel;
import dev.ragtune.model.base.BaseModelCache;
import dev.ragtune.model.ModelFormatException;
import dev.ragtune.tuning.config.WorkerConfig;

/**
 * The worker's base model: the checkpoint in {@code ragtune.worker.checkpoint-dir} opened once per worker and shared
 * by the records pipeline (token counts, from start-up) and every job (training, evaluation, the ONNX export), through
 * one {@link BaseModelCache}: its config and tokenizer are loaded once, its weights opened and hashed once (by the
 * first job), and all of it again only once its files change. Closed at shutdown (a job still running keeps its
 * reference until it ends).
 */
@ApplicationScoped
public class WorkerBaseModel {

    @Inject
    WorkerConfig config;

    private final BaseModelCache cache = new BaseModelCache();

    /** The cache the jobs take the base model from. */
    public BaseModelCache cache() {
        return cache;
    }

    /** A reference to the configured base model; the caller closes it. A clear error if the folder is not a model. */
    public BaseModel acquire() {
        return acquire(cache, config.checkpointDir());
    }

    static BaseModel acquire(BaseModelCache cache, Path checkpointDir) {
        if (!Files.isRegularFile(checkpointDir.resolve("config.json"))) {
            throw new ModelFormatException("ragtune.worker.checkpoint-dir (RAGTUNE_MODEL_DIR) = " + checkpointDir.toAbsolutePath()
                    + " is not a model folder: no config.json there (create one with './ragtune model demo --out DIR')");
        }
        return cache.acquire(checkpointDir);
    }

    @PreDestroy
    void close() {
        cache.close();
    }
}
