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
 * The reference the parse-once {@link ChatTemplate} is tested against: the same template, rendered the way
 * {@code ChatTemplate} did before it parsed once (this is that code), through {@code Jinjava.renderForResult}, which
 * parses the template and copies Jinjava's global context on every call.
 */
final class ReferenceChatTemplate {
    private final String source;
    private final Jinjava jinjava;
    private final Map<String, Object> specialTokens;

    ReferenceChatTemplate(String source, String bosToken, String eosToken) {
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

    String source() {
        return source;
    }

    String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
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
