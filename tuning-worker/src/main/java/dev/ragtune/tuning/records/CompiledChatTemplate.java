package dev.ragtune.tuning.records;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;

import dev.ragtune.model.ModelFormatException;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.tokenize.ChatTemplate;

/**
 * The same chat template as {@link ChatTemplate}, rendered the same way (Jinjava, trim and lstrip blocks, no nested
 * interpretation, {@code raise_exception}), but parsed
 * once per thread instead of on every call — rendering is most of the cost of measuring a record.
 * {@link TrainingTokenCounter} checks at start-up that it renders exactly as {@link ChatTemplate} does.
 */
final class CompiledChatTemplate {

    private final String source;
    private final Jinjava jinjava;
    private final Map<String, Object> specialTokens;
    private final ThreadLocal<Node> tree;

    CompiledChatTemplate(String source, String bosToken, String eosToken) {
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
        this.tree = ThreadLocal.withInitial(() -> jinjava.newInterpreter().parse(this.source));
    }

    String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> ctx = new HashMap<>(specialTokens);
        ctx.put("messages", messages.stream().map(m -> Map.of("role", m.role(), "content", m.content())).toList());
        ctx.put("add_generation_prompt", addGenerationPrompt);
        JinjavaConfig config = jinjava.getGlobalConfig();
        JinjavaInterpreter interpreter = config.getInterpreterFactory()
                .newInstance(jinjava, new Context(jinjava.getGlobalContext(), ctx, config.getDisabled()), config);
        String out;
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            out = interpreter.render(tree.get(), true);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
        List<TemplateError> fatal = interpreter.getErrorsCopy().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            Throwable cause = fatal.get(0).getException();
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new ModelFormatException("chat template failed to render: " + fatal.get(0).getMessage());
        }
        return out;
    }
}
