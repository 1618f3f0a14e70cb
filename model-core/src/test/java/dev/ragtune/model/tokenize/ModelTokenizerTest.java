package dev.ragtune.model.tokenize;

import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.demo.ByteLevelTokenizerJson;
import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelTokenizerTest {
    @TempDir
    static Path dir;
    static ModelTokenizer tokenizer;

    @BeforeAll
    static void setUp() throws Exception {
        var config = DemoCheckpointWriter.write(dir, DemoPreset.TINY, 7);
        tokenizer = ModelTokenizer.load(dir, config.eosTokenIds());
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
    }

    @Test
    void everyUtf8StringRoundTripsOneTokenPerByte() {
        for (String s : List.of("Hello, world!", "東京タワーの高さは333メートルです。", "Київ — столиця", "混合 text ✓ 🚀\n\ttabs")) {
            int[] ids = tokenizer.encode(s);
            assertThat(ids).hasSize(s.getBytes(StandardCharsets.UTF_8).length);
            assertThat(tokenizer.decode(ids)).isEqualTo(s);
        }
    }

    @Test
    void longTextIsNotTruncated() {
        String s = "x".repeat(5000);
        assertThat(tokenizer.encode(s)).hasSize(5000);
    }

    @Test
    void chatTemplateRendersChatMl() {
        String text = tokenizer.template().render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")), true);
        assertThat(text).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        int[] prompt = tokenizer.encodeChatPrompt(List.of(ChatMessage.user("Hi")));
        assertThat(prompt[0]).isEqualTo(ByteLevelTokenizerJson.specialId(ByteLevelTokenizerJson.IM_START));
    }

    @Test
    void endOfTurnIsImEnd() {
        assertThat(tokenizer.isEndOfTurn(ByteLevelTokenizerJson.specialId(ByteLevelTokenizerJson.IM_END))).isTrue();
        assertThat(tokenizer.isEndOfTurn('a')).isFalse();
    }

    @Test
    void trainingMaskCoversExactlyTheAssistantAnswerAndItsEndOfTurn() {
        var messages = List.of(ChatMessage.user("Q?"), ChatMessage.assistant("答え"));
        TrainingSequence seq = tokenizer.encodeForTraining(messages);
        int[] prompt = tokenizer.encodeChatPrompt(messages.subList(0, 1));
        assertThat(java.util.Arrays.copyOf(seq.ids(), prompt.length)).isEqualTo(prompt);
        for (int i = 0; i < prompt.length; i++) {
            assertThat(seq.trainable()[i]).isFalse();
        }
        // "答え" is 6 bytes, then <|im_end|> (the "\n" after it is the template's, not the answer's)
        assertThat(seq.trainableCount()).isEqualTo(6 + 1);
        assertThat(seq.ids()[prompt.length + 6]).isEqualTo(ByteLevelTokenizerJson.specialId(ByteLevelTokenizerJson.IM_END));
    }

    @Test
    void conversationNotEndingWithAssistantIsRejected() {
        assertThatThrownBy(() -> tokenizer.encodeForTraining(List.of(ChatMessage.user("Q?"))))
                .hasMessageContaining("must end with an assistant turn");
    }
}
