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
}
