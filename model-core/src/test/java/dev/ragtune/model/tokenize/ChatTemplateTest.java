package dev.ragtune.model.tokenize;

import dev.ragtune.common.records.ChatMessage;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ragtune.model.demo.ByteLevelTokenizerJson;

class ChatTemplateTest {

    private final ChatTemplate template = new ChatTemplate(ByteLevelTokenizerJson.CHATML_TEMPLATE, null, "<|im_end|>");

    @Test
    void messageContentIsDataNotTemplateCode() {
        String content = "{{ 7*7 }} {{ eos_token }} {% raw %} {% for x in y %}";
        String out = template.render(List.of(ChatMessage.user(content), ChatMessage.assistant("{# not a comment #}")), false);
        assertThat(out).isEqualTo("<|im_start|>user\n" + content + "<|im_end|>\n<|im_start|>assistant\n{# not a comment #}<|im_end|>\n");
    }

    /** Parsed once, a template still renders, fails and raises exactly as {@code Jinjava.renderForResult} does, call after call. */
    @Test
    void rendersAndFailsAsRenderForResult() {
        List<String> sources = List.of(
                ByteLevelTokenizerJson.CHATML_TEMPLATE,
                "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('no system role, please') }}{% endif %}"
                        + "[{{ m['role'] | upper }}] {{ m['content'] | trim }}{{ eos_token }}\n{% endfor %}\n",
                "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{{ loop.index }}/{{ ns.n }}:{{ m.content }}\n{% endfor %}",
                "{% for m in messages %}{{ m.content }}",
                "{{ messages[0].content | no_such_filter }}",
                "{% if %}x{% endif %}",
                "{{ messages[0].content }}{% macro t(x) %}<{{ x }}>{% endmacro %}{{ t(add_generation_prompt) }}\n\n",
                "text without tags\n");
        List<List<ChatMessage>> conversations = List.of(
                List.of(ChatMessage.user("Hi  "), ChatMessage.assistant("Hello.")),
                List.of(ChatMessage.system("Be brief."), ChatMessage.user("Q?"), ChatMessage.assistant("A.")),
                List.of(ChatMessage.user("{{ 7*7 }}\n"), ChatMessage.assistant("ゾルバト川")));
        for (String source : sources) {
            ChatTemplate compiled = new ChatTemplate(source, "<s>", "</s>");
            ReferenceChatTemplate reference = new ReferenceChatTemplate(source, "<s>", "</s>");
            for (int round = 0; round < 2; round++) {
                for (List<ChatMessage> c : conversations) {
                    for (boolean prompt : new boolean[] {true, false}) {
                        assertThat(outcome(() -> compiled.render(c, prompt))).as("%s on %s", source, c)
                                .isEqualTo(outcome(() -> reference.render(c, prompt)));
                    }
                }
            }
        }
    }

    private static String outcome(java.util.function.Supplier<String> render) {
        try {
            return "output: " + render.get();
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }
}
