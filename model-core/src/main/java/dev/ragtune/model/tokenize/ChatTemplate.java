package dev.ragtune.model.tokenize;

import dev.ragtune.common.records.ChatMessage;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.InvalidArgumentException;
import com.hubspot.jinjava.interpret.InvalidInputException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.TemplateSyntaxException;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import dev.ragtune.model.ModelFormatException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template ({@code tokenizer_config.json}'s {@code chat_template}), rendered
 * with Jinjava exactly as transformers' {@code apply_chat_template} does with Jinja2: variables
 * {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}, and the
 * function {@code raise_exception}.
 *
 * <p>The template is parsed once per thread (not on every call, as {@code Jinjava.renderForResult} does: parsing is
 * most of the cost of a render) and each thread renders against its own copy of Jinjava's global context (not a copy
 * per call). Otherwise a render is {@code renderForResult}'s: a fresh interpreter and context per call, the parse
 * errors and the render errors reported together, exceptions turned into errors the same way, the trailing newline
 * rule applied. Thread-safe.
 */
public final class ChatTemplate {
    private final String source;
    private final Jinjava jinjava;
    private final Map<String, Object> specialTokens;
    private final ThreadLocal<Compiled> compiled;

    /**
     * One thread's parsed template (null when parsing threw), the errors parsing reported (and the exception it threw,
     * as an error, or null), and the global context its renders start from.
     */
    private record Compiled(Node tree, List<TemplateError> parseErrors, TemplateError parseFailure, Context global) {
    }

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
        this.compiled = ThreadLocal.withInitial(this::compile);
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
        Compiled c = compiled.get();
        JinjavaConfig config = jinjava.getGlobalConfig();
        JinjavaInterpreter interpreter = config.getInterpreterFactory()
                .newInstance(jinjava, new Context(c.global(), ctx, config.getDisabled()), config);
        String output = null;
        List<TemplateError> errors = new ArrayList<>();
        if (c.parseFailure() != null) {
            errors.add(c.parseFailure());
            errors.addAll(c.parseErrors());
        } else {
            try {
                output = interpreter.render(c.tree(), true);
                if (!config.isKeepTrailingNewline() && output.endsWith("\n")) {
                    output = output.substring(0, output.length() - 1);
                }
                errors.addAll(c.parseErrors());
            } catch (RuntimeException e) {
                errors.add(asError(e));
                errors.addAll(c.parseErrors());
            } finally {
                c.global().reset();
            }
            errors.addAll(interpreter.getErrorsCopy());
        }
        List<TemplateError> fatal = errors.stream().filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            Throwable cause = fatal.get(0).getException();
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new ModelFormatException("chat template failed to render: " + fatal.get(0).getMessage());
        }
        return output;
    }

    private Compiled compile() {
        JinjavaConfig config = jinjava.getGlobalConfig();
        Context global = jinjava.getGlobalContextCopy();
        JinjavaInterpreter parser = config.getInterpreterFactory()
                .newInstance(jinjava, new Context(global, new HashMap<>(specialTokens), config.getDisabled()), config);
        Node tree = null;
        TemplateError failure = null;
        try {
            tree = parser.parse(source);
        } catch (RuntimeException e) {
            // renderForResult reports this (before the errors parsing had added) and renders nothing; so does every render
            failure = asError(e);
        }
        List<TemplateError> errors = parser.getErrorsCopy();
        global.reset();
        return new Compiled(tree, List.copyOf(errors), failure, global);
    }

    /** An exception as {@code Jinjava.renderForResult} reports it. */
    private static TemplateError asError(RuntimeException e) {
        if (e instanceof TemplateSyntaxException tse) {
            return TemplateError.fromException(tse);
        }
        if (e instanceof InterpretException ie) {
            return TemplateError.fromSyntaxError(ie);
        }
        if (e instanceof InvalidArgumentException iae) {
            return TemplateError.fromInvalidArgumentException(iae);
        }
        if (e instanceof InvalidInputException iie) {
            return TemplateError.fromInvalidInputException(iie);
        }
        return TemplateError.fromException(e);
    }
}
