package dev.ragtune.model.checkpoint;

import java.util.Arrays;
import java.util.Optional;

/** The Llama-family architectures ragtune reads. They differ only in biases and defaults. */
public enum Architecture {
    LLAMA("LlamaForCausalLM", false),
    QWEN2("Qwen2ForCausalLM", true),
    MISTRAL("MistralForCausalLM", false);

    private final String hfName;
    private final boolean qkvBiasByDefault;

    Architecture(String hfName, boolean qkvBiasByDefault) {
        this.hfName = hfName;
        this.qkvBiasByDefault = qkvBiasByDefault;
    }

    public String hfName() {
        return hfName;
    }

    public boolean qkvBiasByDefault() {
        return qkvBiasByDefault;
    }

    public static Optional<Architecture> fromHfName(String name) {
        return Arrays.stream(values()).filter(a -> a.hfName.equals(name)).findFirst();
    }

    public static String supportedNames() {
        return String.join(", ", Arrays.stream(values()).map(Architecture::hfName).toList());
    }
}
