package dev.ragtune.model.checkpoint;

import java.util.Arrays;
import java.util.Optional;

import static dev.ragtune.model.checkpoint.ArchitectureSpec.FUSED;
import static dev.ragtune.model.checkpoint.ArchitectureSpec.SEPARATE;
import static dev.ragtune.model.checkpoint.ArchitectureSpec.SlidingWindowRule.ALL_LAYERS;
import static dev.ragtune.model.checkpoint.ArchitectureSpec.SlidingWindowRule.NONE;
import static dev.ragtune.model.checkpoint.ArchitectureSpec.SlidingWindowRule.QWEN_FROM_MAX_WINDOW_LAYERS;

/** The decoder families ragtune reads; what differs between them is their {@link ArchitectureSpec}. */
public enum Architecture {
    LLAMA("LlamaForCausalLM", new ArchitectureSpec("llama", SEPARATE, false, false, NONE)),
    QWEN2("Qwen2ForCausalLM", new ArchitectureSpec("qwen2", SEPARATE, true, false, QWEN_FROM_MAX_WINDOW_LAYERS)),
    MISTRAL("MistralForCausalLM", new ArchitectureSpec("mistral", SEPARATE, false, false, ALL_LAYERS)),
    QWEN3("Qwen3ForCausalLM", new ArchitectureSpec("qwen3", SEPARATE, false, true, QWEN_FROM_MAX_WINDOW_LAYERS)),
    PHI3("Phi3ForCausalLM", new ArchitectureSpec("phi3", FUSED, false, false, ALL_LAYERS));

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
