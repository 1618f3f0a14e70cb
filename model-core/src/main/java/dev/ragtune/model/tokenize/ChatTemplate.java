package dev.ragtune.model.tokenize;

import dev.ragtune.common.records.ChatMessage;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.ragtune.model.ModelFormatException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template ({@code tokenizer_config.json}'s {@code chat_template}), rendered
 * with Jinjava exactly as transformers' {@code apply_chat_template} does with Jinja2: variables
 * {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}, and the
 * function {@code raise_exception}.
 */
public final class ChatTemplate {
    private final String source;
    private final Jinjava jinjava;
    private final Map<String, Object> specialTokens;

    public ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        // nested interpretation off: message content is data, never template code (Jinja2, which transformers uses,
        // does not re-render output; with it on, a message "{{ 7*7 }}" would render as "49")
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
                .withNestedInterpretationEnabled(false).build());
        this.jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
        this.specialTokens = new HashMap<>();
        specialTokens.put("bos_token", bosToken == null ? "" : bosToken);
        specialTokens.put("eos_token", eosToken == null ? "" : eosToken);
    }

    public static String raiseException(String message) {
        throw new IllegalArgumentException("chat template rejected the conversation: " + message);
    }

    public String source() {
        return source;
    }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> ctx = new HashMap<>(specialTokens);
        ctx.put("messages", messages.stream().map(m -> Map.of("role", m.role(), "content", m.content())).toList());
        ctx.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(source, ctx);
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            Throwable cause = fatal.get(0).getException();
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new ModelFormatException("chat template failed to render: " + fatal.get(0).getMessage());
        }
        return result.getOutput();
    }
}
