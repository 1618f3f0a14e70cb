package dev.ragtune.model.demo;

import dev.ragtune.model.checkpoint.Architecture;
import dev.ragtune.model.checkpoint.ModelConfig;

import java.util.List;
import java.util.Locale;

/** Shapes of the checkpoints {@code ragtune model demo} can write. */
public enum DemoPreset {
    /** Small enough to train on a laptop CPU in minutes: 4 layers, hidden 256, 8/2 heads. */
    TINY,
    /** The exact tensor shapes of Qwen2.5-0.5B, random weights, for benchmarks. */
    QWEN2_5_0_5B;

    public String cliName() {
        return this == TINY ? "tiny" : "qwen2.5-0.5b";
    }

    public static DemoPreset parse(String name) {
        for (DemoPreset p : values()) {
            if (p.cliName().equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "'; choose tiny or qwen2.5-0.5b");
    }

    public ModelConfig config(Architecture architecture) {
        int eos = ByteLevelTokenizerJson.specialId(ByteLevelTokenizerJson.IM_END);
        return switch (this) {
            case TINY -> new ModelConfig(architecture, 256, 704, 4, 8, 2, 32,
                    ByteLevelTokenizerJson.vocabularySize(), 1e-6, 10000.0, null, 2048, false,
                    architecture.qkvBiasByDefault(), "float32", null, List.of(eos));
            case QWEN2_5_0_5B -> new ModelConfig(Architecture.QWEN2, 896, 4864, 24, 14, 2, 64, 151936, 1e-6,
                    1000000.0, null, 32768, true, true, "bfloat16", null, List.of(eos));
        };
    }
}
