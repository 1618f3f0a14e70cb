package dev.ragtune.model.tokenize;

import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.ModelFormatException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ragtune.model.demo.ByteLevelTokenizerJson;

/**
 * The template engine's Jinja2 semantics on small templates; the expected outputs are Jinja2 3.1.6's, rendered as
 * transformers renders chat templates ({@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)},
 * loop controls, its {@code tojson}). The real templates are held to Hugging Face by {@link ChatTemplateConformanceTest}.
 */
class ChatTemplateTest {

    private final ChatTemplate template = new ChatTemplate(ByteLevelTokenizerJson.CHATML_TEMPLATE, null, "<|im_end|>");
    private static final List<ChatMessage> BRIEF = List.of(ChatMessage.system("Be brief."), ChatMessage.user("hello there"));

    @Test
    void messageContentIsDataNotTemplateCode() {
        String content = "{{ 7*7 }} {{ eos_token }} {% raw %} {% for x in y %}";
        String out = template.render(List.of(ChatMessage.user(content), ChatMessage.assistant("{# not a comment #}")), false);
        assertThat(out).isEqualTo("<|im_start|>user\n" + content + "<|im_end|>\n<|im_start|>assistant\n{# not a comment #}<|im_end|>\n");
    }

    @Test
    void demoChatMlRendersAsBefore() {
        assertThat(template.render(BRIEF, true)).isEqualTo(
                "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhello there<|im_end|>\n<|im_start|>assistant\n");
        assertThat(template.render(List.of(ChatMessage.user("Q"), ChatMessage.assistant("A")), false)).isEqualTo(
                "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n");
    }

    /** Whitespace control, trim_blocks/lstrip_blocks, {@code +}, comments, arithmetic, slicing, methods, filters, loop controls, tojson. */
    @Test
    void rendersAsJinja2() {
        String source = "A\n    {{- 'X' }}\n  {%- if true %}\n    B {{ messages|length }} {{ (messages|length / 2) }} {{ 7 // 2 }} {{ -7 % 3 }} {{ 'abc'[::-1] }} {{ 'a,b,,c'.split(',') }} {{ messages[-1].content.title() }}\n  {% endif %}\n{# c #}\n  {%+ if false %}x{% else %}y{% endif %}  \n{{ [1, 2.5, none, true, 'q\"'] | tojson }}|{{ {'k': [1, {'z': 'é'}]} | tojson(indent=2) }}|{{ [1,2] }}|{{ {'a': none} }}|{{ 1.5e20 }}|{{ 0.1 + 0.2 }}|{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{{ loop.revindex }}{% endfor %}|{{ 'x' if false }}|{{ undefined_thing }}|{{ 'Hello World'.lower().replace('o', '0', 1) }}|{{ '  a  '.lstrip() }}.{{ '--a--'.strip('-') }}|{{ messages | map(attribute='role') | join(', ') }}|{{ messages | selectattr('role', 'equalto', 'user') | list | length }}|{{ 'ab' in 'cabd' }}{{ 3 in [1,2,3] }}|{{ 'x' ~ 1 ~ none }}|{{ 'hello world foo'.title() }}{{ 'hello-world' | title }}|{{ '%s is %d' % ('a', 3) }}\n";
        assertThat(new ChatTemplate(source, "<s>", "</s>").render(BRIEF, true)).isEqualTo(
                "AX    B 2 1.0 3 2 cba ['a', 'b', '', 'c'] Hello There\n  y  \n[1, 2.5, null, true, \"q\\\"\"]|{\n  \"k\": [\n    1,\n    {\n      \"z\": \"é\"\n    }\n  ]\n}|[1, 2]|{'a': None}|1.5e+20|0.30000000000000004|0523|||hell0 world|a  .a|system, user|1|TrueTrue|x1None|Hello World FooHello-World|a is 3");
        assertThat(new ChatTemplate("{{ messages[0].content }}{% macro t(x) %}<{{ x }}>{% endmacro %}{{ t(add_generation_prompt) }}\n\n",
                "<s>", "</s>").render(BRIEF, true)).isEqualTo("Be brief.<True>\n");
        assertThat(new ChatTemplate("{% set ns = namespace(n=0, last=messages|length - 1) %}{% for m in messages[::-1] %}"
                + "{% set ns.n = ns.n + 1 %}{{ loop.index }}/{{ ns.n }}/{{ ns.last }}:{{ m.content.startswith('Be') }}\n{% endfor %}",
                "<s>", "</s>").render(BRIEF, true)).isEqualTo("1/1/1:False\n2/2/1:True\n");
        assertThat(new ChatTemplate("text without tags\n", "<s>", "</s>").render(BRIEF, true)).isEqualTo("text without tags");
    }

    @Test
    void specialTokensToolsAndDocumentsAreVariables() {
        ChatTemplate t = new ChatTemplate("{{ bos_token }}|{{ unk_token }}|{{ additional_special_tokens[1] }}|{{ tools is none }}"
                + "|{{ documents is defined }}|{{ pad_token is defined }}",
                Map.of("bos_token", "<s>", "unk_token", "<unk>", "additional_special_tokens", List.of("<a>", "<b>")));
        assertThat(t.render(BRIEF, false)).isEqualTo("<s>|<unk>|<b>|True|True|False");
    }

    @Test
    void strftimeNowFormatsTheClock() {
        ChatTemplate t = new ChatTemplate("Today Date: {{ strftime_now('%d %b %Y') }} {{ strftime_now('%A %B %-d, %H:%M') }}",
                Map.of(), () -> ZonedDateTime.of(2026, 3, 5, 9, 7, 0, 0, ZoneOffset.UTC));
        assertThat(t.render(BRIEF, false)).isEqualTo("Today Date: 05 Mar 2026 Thursday March 5, 09:07");
    }

    @Test
    void generationBlocksGiveTheAssistantSpans() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}{% if m.role == 'assistant' %}[A]{% generation %}"
                + "{{ m.content }}<end>{% endgeneration %}\n{% else %}[U]{{ m.content }}\n{% endif %}{% endfor %}", Map.of());
        assertThat(t.hasGenerationBlocks()).isTrue();
        var messages = List.of(ChatMessage.user("q"), ChatMessage.assistant("a1"), ChatMessage.user("q2"), ChatMessage.assistant("a2"));
        Jinja.Rendered r = t.renderMaps(messages.stream().map(ChatTemplate::asMap).toList(), false);
        // trim_blocks drops the newline after {% endgeneration %}
        assertThat(r.text()).isEqualTo("[U]q\n[A]a1<end>[U]q2\n[A]a2<end>");
        assertThat(r.generationSpans().stream().map(s -> r.text().substring(s[0], s[1])).toList()).containsExactly("a1<end>", "a2<end>");
    }

    @Test
    void failuresAreReported() {
        assertThatThrownBy(() -> new ChatTemplate("{% for m in messages %}{% if m['role'] == 'system' %}"
                + "{{ raise_exception('no system role, please') }}{% endif %}{% endfor %}", "<s>", "</s>").render(BRIEF, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("chat template rejected the conversation: no system role, please");
        for (String broken : List.of("{% for m in messages %}{{ m.content }}", "{{ messages[0].content | no_such_filter }}",
                "{% if %}x{% endif %}", "{{ nothing.at_all }}", "{{ 'a' + 1 }}")) {
            assertThatThrownBy(() -> new ChatTemplate(broken, "<s>", "</s>").render(BRIEF, false)).as(broken)
                    .isInstanceOf(ModelFormatException.class).hasMessageStartingWith("chat template failed to render: ");
        }
    }
}
