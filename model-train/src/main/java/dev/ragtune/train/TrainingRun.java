package dev.ragtune.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.lora.PeftAdapterIO;
import dev.ragtune.model.base.BaseModel;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.tokenize.ModelTokenizer;
import dev.ragtune.model.tokenize.TrainingSequence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One training job end to end: checkpoint folder + JSONL data → output folder with
 * {@code adapter_config.json}, {@code adapter_model.safetensors}, {@code adapter.onnx_adapter} and
 * {@code metrics.json}. Files are written only after training succeeded.
 */
public final class TrainingRun {
    public static final String METRICS_FILE = "metrics.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingRun() {
    }

    /** CUDA when the PyTorch engine sees a GPU, the CPU otherwise. */
    public static Device defaultDevice() {
        return Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /** Tokenizes conversations for training; a conversation the template cannot mask is named by index. */
    public static List<TrainingSequence> tokenize(ModelTokenizer tokenizer, List<List<ChatMessage>> conversations) {
        List<TrainingSequence> out = new ArrayList<>(conversations.size());
        for (int i = 0; i < conversations.size(); i++) {
            try {
                out.add(tokenizer.encodeForTraining(conversations.get(i)));
            } catch (IllegalArgumentException e) {
                throw new TrainingData.BadDataException("example " + (i + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }

    public static TrainingResult run(Path checkpointDir, Path dataFile, Path outDir, TrainingOptions options,
                                     ProgressListener listener) throws IOException {
        return run(checkpointDir, TrainingData.read(dataFile), outDir, options, listener);
    }

    /** As {@link #run(Path, Path, Path, TrainingOptions, ProgressListener)}, on conversations already read. */
    public static TrainingResult run(Path checkpointDir, List<List<ChatMessage>> conversations, Path outDir,
                                     TrainingOptions options, ProgressListener listener) throws IOException {
        long start = System.nanoTime();
        try (BaseModel base = BaseModel.open(checkpointDir)) {
            return run(base, conversations, outDir, options, listener, start);
        }
    }

    /**
     * As {@link #run(Path, List, Path, TrainingOptions, ProgressListener)} on a base model already opened (its
     * checkpoint, tokenizer and content hash; the caller keeps and closes it). {@code wallSeconds} counts from this call.
     */
    public static TrainingResult run(BaseModel base, List<List<ChatMessage>> conversations, Path outDir,
                                     TrainingOptions options, ProgressListener listener) throws IOException {
        return run(base, conversations, outDir, options, listener, System.nanoTime());
    }

    private static TrainingResult run(BaseModel base, List<List<ChatMessage>> conversations, Path outDir,
                                      TrainingOptions options, ProgressListener listener, long start) throws IOException {
        Checkpoint ckpt = base.checkpoint();
        List<TrainingSequence> data = tokenize(base.tokenizer(), conversations);
        String hash = base.contentHash();
        LoraAdapter init = null;
        if (options.initFrom() != null) {
            init = PeftAdapterIO.read(options.initFrom(), ckpt.config(), hash);
            options = adoptInit(options, init.config());
        }
        int longest = data.stream().mapToInt(TrainingSequence::length).max().orElse(2);
        Hyperparameters hp = HyperparameterDefaults.resolve(options, ckpt.config(), data.size(), longest);
        TrainingResult result;
        try (NDManager root = NDManager.newBaseManager(defaultDevice(), "PyTorch");
             LlamaModel model = LlamaModel.load(ckpt, root)) {
            result = new LoraTrainer(model).train(data, hp, init, listener);
        }
        LoraAdapter adapter = withBase(result.adapter(), base.dir().toAbsolutePath().normalize().toString(), hash);
        TrainingMetrics metrics = result.metrics().withBase(hash, (System.nanoTime() - start) / 1e9);
        write(outDir, adapter, metrics);
        return new TrainingResult(adapter, metrics);
    }

    /** Writes the PEFT files, the {@code .onnx_adapter} derived from them and {@code metrics.json}. */
    public static void write(Path outDir, LoraAdapter adapter, TrainingMetrics metrics) throws IOException {
        Files.createDirectories(outDir);
        PeftAdapterIO.write(adapter, outDir);
        OnnxAdapterWriter.write(adapter, outDir.resolve(OnnxAdapterWriter.FILE_NAME), false);
        Path tmp = outDir.resolve(METRICS_FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), metrics.toJson(JSON));
        Files.move(tmp, outDir.resolve(METRICS_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static TrainingOptions adoptInit(TrainingOptions o, LoraConfig c) {
        if (o.rank() != null && o.rank() != c.r()) {
            throw new IllegalArgumentException("--rank " + o.rank() + " conflicts with the adapter to continue from (r = " + c.r() + ")");
        }
        if (o.alpha() != null && o.alpha() != c.alpha()) {
            throw new IllegalArgumentException("--alpha " + o.alpha() + " conflicts with the adapter to continue from (lora_alpha = " + c.alpha() + ")");
        }
        if (o.targets() != null && !o.targets().isEmpty() && !List.copyOf(o.targets()).containsAll(c.targetModules())) {
            throw new IllegalArgumentException("--targets conflicts with the adapter to continue from (" + c.targetModules() + ")");
        }
        return o.withRank(c.r()).withAlpha(c.alpha()).withTargets(c.targetModules());
    }

    private static LoraAdapter withBase(LoraAdapter a, String base, String hash) {
        return a.withConfig(a.config().withBase(base, hash));
    }
}
