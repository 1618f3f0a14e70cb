package dev.ragtune.model.checkpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The seven linear projections of a Llama decoder layer, the possible LoRA target modules.
 * Dimensions are {@code [out, in]} as stored by PyTorch's {@code nn.Linear}.
 */
public enum LinearModule {
    Q_PROJ("q_proj", "self_attn.q_proj"),
    K_PROJ("k_proj", "self_attn.k_proj"),
    V_PROJ("v_proj", "self_attn.v_proj"),
    O_PROJ("o_proj", "self_attn.o_proj"),
    GATE_PROJ("gate_proj", "mlp.gate_proj"),
    UP_PROJ("up_proj", "mlp.up_proj"),
    DOWN_PROJ("down_proj", "mlp.down_proj");

    private final String shortName;
    private final String path;

    LinearModule(String shortName, String path) {
        this.shortName = shortName;
        this.path = path;
    }

    /** The PEFT {@code target_modules} name, e.g. {@code q_proj}. */
    public String shortName() {
        return shortName;
    }

    /** Path inside a layer, e.g. {@code self_attn.q_proj}. */
    public String path() {
        return path;
    }

    public int inFeatures(ModelConfig c) {
        return switch (this) {
            case Q_PROJ, K_PROJ, V_PROJ, GATE_PROJ, UP_PROJ -> c.hiddenSize();
            case O_PROJ -> c.qDim();
            case DOWN_PROJ -> c.intermediateSize();
        };
    }

    public int outFeatures(ModelConfig c) {
        return switch (this) {
            case Q_PROJ -> c.qDim();
            case K_PROJ, V_PROJ -> c.kvDim();
            case O_PROJ, DOWN_PROJ -> c.hiddenSize();
            case GATE_PROJ, UP_PROJ -> c.intermediateSize();
        };
    }

    public boolean hasBias(ModelConfig c) {
        return c.qkvBias() && (this == Q_PROJ || this == K_PROJ || this == V_PROJ);
    }

    public static Optional<LinearModule> byShortName(String name) {
        return Arrays.stream(values()).filter(m -> m.shortName.equals(name)).findFirst();
    }

    public static List<LinearModule> all() {
        return List.of(values());
    }
}
