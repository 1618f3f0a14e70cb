package dev.ragtune.model.checkpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The linear projections of a decoder layer, the possible LoRA target modules. A family uses the
 * subset its {@link ArchitectureSpec#projections()} names (separate q/k/v/gate/up, or Phi-3's fused ones).
 * Dimensions are {@code [out, in]} as stored by PyTorch's {@code nn.Linear}.
 */
public enum LinearModule {
    Q_PROJ("q_proj", "self_attn.q_proj"),
    K_PROJ("k_proj", "self_attn.k_proj"),
    V_PROJ("v_proj", "self_attn.v_proj"),
    /** Phi-3's fused {@code [q; k; v]} projection. */
    QKV_PROJ("qkv_proj", "self_attn.qkv_proj"),
    O_PROJ("o_proj", "self_attn.o_proj"),
    GATE_PROJ("gate_proj", "mlp.gate_proj"),
    UP_PROJ("up_proj", "mlp.up_proj"),
    /** Phi-3's fused {@code [gate; up]} projection. */
    GATE_UP_PROJ("gate_up_proj", "mlp.gate_up_proj"),
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
            case Q_PROJ, K_PROJ, V_PROJ, QKV_PROJ, GATE_PROJ, UP_PROJ, GATE_UP_PROJ -> c.hiddenSize();
            case O_PROJ -> c.qDim();
            case DOWN_PROJ -> c.intermediateSize();
        };
    }

    public int outFeatures(ModelConfig c) {
        return switch (this) {
            case Q_PROJ -> c.qDim();
            case K_PROJ, V_PROJ -> c.kvDim();
            case O_PROJ, DOWN_PROJ -> c.hiddenSize();
            case QKV_PROJ -> c.qDim() + 2 * c.kvDim();
            case GATE_PROJ, UP_PROJ -> c.intermediateSize();
            case GATE_UP_PROJ -> 2 * c.intermediateSize();
        };
    }

    public boolean hasBias(ModelConfig c) {
        return c.qkvBias() && (this == Q_PROJ || this == K_PROJ || this == V_PROJ || this == QKV_PROJ);
    }

    public static Optional<LinearModule> byShortName(String name) {
        return Arrays.stream(values()).filter(m -> m.shortName.equals(name)).findFirst();
    }

    /** The seven separate projections of a Llama-style layer (not the fused ones); see {@link ModelConfig#projections()}. */
    public static List<LinearModule> all() {
        return ArchitectureSpec.SEPARATE;
    }

    /** Every module name ragtune knows, for messages. */
    public static List<LinearModule> known() {
        return List.of(values());
    }
}
