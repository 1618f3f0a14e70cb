package dev.ragtune.rag.answer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import dev.ragtune.model.lora.LoraAdapter;
import dev.ragtune.model.lora.LoraConfig;
import dev.ragtune.model.lora.OnnxAdapterWriter;
import dev.ragtune.model.lora.PeftAdapterIO;
import dev.ragtune.model.checkpoint.Checkpoint;
import dev.ragtune.model.checkpoint.LinearModule;
import dev.ragtune.model.checkpoint.ModelConfig;

/** Train-free adapters for the tests: random LoRA weights (seeded), written as PEFT files plus {@code adapter.onnx_adapter}. */
public final class TestAdapters {
    private TestAdapters() {
    }

    /** Writes a random rank-8 adapter on q/v/o/down for the checkpoint into {@code dir}; returns {@code dir}. */
    public static Path writeRandom(Path checkpoint, Path dir, long seed) throws IOException {
        ModelConfig model;
        String hash;
        try (Checkpoint ckpt = Checkpoint.open(checkpoint)) {
            model = ckpt.config();
            hash = ckpt.contentHash();
        }
        List<LinearModule> targets = List.of(LinearModule.Q_PROJ, LinearModule.V_PROJ, LinearModule.O_PROJ, LinearModule.DOWN_PROJ);
        LoraConfig config = new LoraConfig(8, 16, targets).withBase(checkpoint.getFileName().toString(), hash);
        LoraAdapter adapter = LoraAdapter.zeros(config, model);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int l = 0; l < model.numLayers(); l++) {
            for (LinearModule m : targets) {
                float[] a = adapter.a(l, m);
                float[] b = adapter.b(l, m);
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (rnd.nextGaussian() * 0.2);
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (rnd.nextGaussian() * 0.2);
                }
            }
        }
        Files.createDirectories(dir);
        PeftAdapterIO.write(adapter, dir);
        OnnxAdapterWriter.write(adapter, dir.resolve(OnnxAdapterWriter.FILE_NAME), false);
        return dir;
    }

    /** The files of an adapter folder, as uploaded to the registry. */
    public static List<Path> files(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
