package dev.ragtune.model.checkpoint;

import java.util.Arrays;
import java.util.Optional;

import static dev.ragtune.model.checkpoint.ArchitectureSpec.FUSED;
import static dev.ragtune.model.checkpoint.ArchitectureSpec.SEPARATE;
import static dev.ragtune.model.checkpoint.ArchitectureSpec.SlidingWindowRule.ALL_LAYERS;
import static dev.ragtune.model.checkpoint.ArchitectureSpec.SlidingWindowRule.GEMMA_PATTERN;
import static dev.ragtune.model.checkpoint.ArchitectureSpec.SlidingWindowRule.NONE;
import static dev.ragtune.model.checkpoint.ArchitectureSpec.SlidingWindowRule.QWEN_FROM_MAX_WINDOW_LAYERS;

/** The decoder families ragtune reads; what differs between them is their {@link ArchitectureSpec}. */
public enum Architecture {
    LLAMA("LlamaForCausalLM", ArchitectureSpec.llamaLike("llama", SEPARATE, false, false, NONE)),
    QWEN2("Qwen2ForCausalLM", ArchitectureSpec.llamaLike("qwen2", SEPARATE, true, false, QWEN_FROM_MAX_WINDOW_LAYERS)),
    MISTRAL("MistralForCausalLM", ArchitectureSpec.llamaLike("mistral", SEPARATE, false, false, ALL_LAYERS)),
    QWEN3("Qwen3ForCausalLM", ArchitectureSpec.llamaLike("qwen3", SEPARATE, false, true, QWEN_FROM_MAX_WINDOW_LAYERS)),
    PHI3("Phi3ForCausalLM", ArchitectureSpec.llamaLike("phi3", FUSED, false, false, ALL_LAYERS)),
    /** Gemma 3, text only. */
    GEMMA3("Gemma3ForCausalLM", new ArchitectureSpec("gemma3_text", SEPARATE, false, true, GEMMA_PATTERN, 1.0,
            true, true, ArchitectureSpec.Activation.GELU_TANH, true));

    private final String hfName;
    private final ArchitectureSpec spec;

    Architecture(String hfName, ArchitectureSpec spec) {
        this.hfName = hfName;
        this.spec = spec;
    }

    public String hfName() {
        return hfName;
    }

    public ArchitectureSpec spec() {
        return spec;
    }

    public boolean qkvBiasByDefault() {
        return spec.qkvBiasByDefault();
    }

    public static Optional<Architecture> fromHfName(String name) {
        return Arrays.stream(values()).filter(a -> a.hfName.equals(name)).findFirst();
    }

    public static String supportedNames() {
        return String.join(", ", Arrays.stream(values()).map(Architecture::hfName).toList());
    }
}
