package dev.ragtune.model.tokenize;

import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.ModelFormatException;

import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A Hugging Face chat template ({@code tokenizer_config.json}'s {@code chat_template}), rendered exactly as
 * transformers' {@code apply_chat_template} renders it with Jinja2 ({@code trim_blocks}, {@code lstrip_blocks},
 * whitespace control, Python string methods and slicing, {@code namespace}, loop controls): variables
 * {@code messages}, {@code add_generation_prompt}, {@code tools} and {@code documents} (None), every special token of
 * the tokenizer config ({@code bos_token}, {@code eos_token}, ...), and the functions {@code raise_exception} and
 * {@code strftime_now}. The engine is ragtune's own ({@link Jinja}, decision 011), held to Jinja2 and transformers.js
 * on the real templates of every supported family by {@code ChatTemplateConformanceTest}.
 *
 * <p>The template is parsed once; the parsed tree is immutable and renders from any thread.
 */
public final class ChatTemplate {
    private final String source;
    private final Map<String, Object> specialTokens;
    private final Supplier<ZonedDateTime> clock;
    private final Jinja.Template tree;
    private final String parseError;
    private final boolean generationBlocks;

    public ChatTemplate(String source, String bosToken, String eosToken) {
        this(source, tokens(bosToken, eosToken));
    }

    /** {@code specialTokens}: the variables transformers adds from the tokenizer's special tokens map. */
    public ChatTemplate(String source, Map<String, ?> specialTokens) {
        this(source, specialTokens, ZonedDateTime::now);
    }

    /** {@code clock}: what {@code strftime_now} formats (transformers: {@code datetime.now()}, the local time). */
    public ChatTemplate(String source, Map<String, ?> specialTokens, Supplier<ZonedDateTime> clock) {
        this.source = source;
        this.specialTokens = new HashMap<>(specialTokens);
        this.clock = clock;
        Jinja.Template parsed = null;
        String error = null;
        try {
            parsed = new Jinja.Template(source);
        } catch (Jinja.TemplateError | IllegalArgumentException | IndexOutOfBoundsException e) {
            error = e.getMessage();
        }
        this.tree = parsed;
        this.parseError = error;
        this.generationBlocks = java.util.regex.Pattern.compile("\\{%[-+]?\\s*generation\\s*[-+]?%}").matcher(source).find();
    }

    private static Map<String, Object> tokens(String bos, String eos) {
        Map<String, Object> m = new HashMap<>();
        if (bos != null) {
            m.put("bos_token", bos);
        }
        if (eos != null) {
            m.put("eos_token", eos);
        }
        return m;
    }

    public String source() {
        return source;
    }

    /** Whether the template marks assistant output with {@code {% generation %}} blocks. */
    public boolean hasGenerationBlocks() {
        return generationBlocks;
    }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return renderMaps(messages.stream().map(ChatTemplate::asMap).toList(), addGenerationPrompt).text();
    }

    static Map<String, Object> asMap(ChatMessage m) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", m.role());
        map.put("content", m.content());
        return map;
    }

    /** Renders messages given as maps (role, content, ...), with the spans of the {@code {% generation %}} blocks. */
    Jinja.Rendered renderMaps(List<Map<String, Object>> messages, boolean addGenerationPrompt) {
        if (tree == null) {
            throw new ModelFormatException("chat template failed to render: " + parseError);
        }
        Map<String, Object> vars = new HashMap<>(specialTokens);
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("tools", null);
        vars.put("documents", null);
        try {
            return tree.render(Jinja.Builtins.globals(clock), vars);
        } catch (Jinja.RaisedException e) {
            throw new IllegalArgumentException("chat template rejected the conversation: " + e.getMessage(), e);
        } catch (Jinja.TemplateError e) {
            throw new ModelFormatException("chat template failed to render: " + e.getMessage(), e);
        } catch (ClassCastException | IndexOutOfBoundsException | NullPointerException | NumberFormatException e) {
            throw new ModelFormatException("chat template failed to render: " + e, e);
        }
    }
}
