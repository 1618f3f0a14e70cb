package dev.ragtune.tuning.records;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.ragtune.common.model.ModelConfig;
import dev.ragtune.common.model.ModelFormatException;
import dev.ragtune.common.records.TokenCounter;
import dev.ragtune.common.tokenize.ChatMessage;
import dev.ragtune.common.tokenize.ModelTokenizer;

/** Counts a conversation's tokens exactly as training will see them: {@link ModelTokenizer#encodeForTraining}. */
public final class ModelTokenCounter implements TokenCounter, AutoCloseable {

    private final ModelTokenizer tokenizer;

    private ModelTokenCounter(ModelTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Loads the tokenizer and chat template of the checkpoint folder; a clear error if the folder is not one. */
    public static ModelTokenCounter load(Path checkpointDir) {
        Path config = checkpointDir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new ModelFormatException("ragtune.worker.checkpoint-dir (RAGTUNE_MODEL_DIR) = " + checkpointDir.toAbsolutePath()
                    + " is not a model folder: no config.json there (create one with './ragtune model demo --out DIR')");
        }
        ModelConfig c = ModelConfig.read(config);
        return new ModelTokenCounter(ModelTokenizer.load(checkpointDir, c.eosTokenIds()));
    }

    @Override
    public int count(List<ChatMessage> messages) {
        return tokenizer.encodeForTraining(messages).length();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
