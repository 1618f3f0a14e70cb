package dev.ragtune.rag.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ragtune.model.demo.DemoCheckpointWriter;
import dev.ragtune.model.demo.DemoPreset;
import dev.ragtune.model.checkpoint.ModelConfig;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.tokenize.ModelTokenizer;

/** The cited prompt with the demo checkpoint's real tokenizer and chat template. */
@Tag("core")
class CitationPromptBuilderTest {
    @TempDir
    static Path tmp;
    static ModelTokenizer tokenizer;
    static int context;

    @BeforeAll
    static void load() throws Exception {
        ModelConfig c = DemoCheckpointWriter.write(tmp.resolve("m"), DemoPreset.TINY, 3);
        tokenizer = ModelTokenizer.load(tmp.resolve("m"), c.eosTokenIds());
        context = c.maxPositionEmbeddings();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static List<SourceChunk> chunks(int n, int chars) {
        List<SourceChunk> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            StringBuilder sb = new StringBuilder();
            while (sb.length() < chars) {
                sb.append("Fact ").append(i).append(" about the Zorbat river, sentence ").append(sb.length()).append(". ");
            }
            out.add(new SourceChunk(i, "doc-" + i, "Title " + i, sb.substring(0, chars), 1.0 / i));
        }
        return out;
    }

    @Test
    void chunksAreNumberedInRankOrderBeforeTheQuestionWithTheCitationInstruction() {
        CitationPromptBuilder b = new CitationPromptBuilder(tokenizer, context, null);
        List<SourceChunk> cs = chunks(3, 80);
        BuiltPrompt p = b.build("What colour is the river?", cs, 32);
        String t = p.text();
        assertThat(t).startsWith("<|im_start|>system\n" + CitationPromptBuilder.DEFAULT_INSTRUCTION);
        int a1 = t.indexOf("[1] Title 1\n" + cs.get(0).text().strip());
        int a2 = t.indexOf("[2] Title 2\n" + cs.get(1).text().strip());
        int a3 = t.indexOf("[3] Title 3\n" + cs.get(2).text().strip());
        int q = t.indexOf("Question: What colour is the river?");
        assertThat(a1).isPositive();
        assertThat(a2).isGreaterThan(a1);
        assertThat(a3).isGreaterThan(a2);
        assertThat(q).isGreaterThan(a3);
        assertThat(t).endsWith("<|im_start|>assistant\n");
        assertThat(p.ids()).isEqualTo(tokenizer.encode(t));
        assertThat(p.sources()).isEqualTo(cs);
        assertThat(p.droppedSources()).isZero();
        assertThat(p.truncated()).isFalse();
    }

    @Test
    void aLongContextIsTrimmedToTheWindowDroppingTheLowestRankedChunksThenTruncating() {
        CitationPromptBuilder b = new CitationPromptBuilder(tokenizer, context, null);
        List<SourceChunk> cs = chunks(12, 700); // ~8400 byte-level tokens of sources for a 2048-token window
        int maxTokens = 256;
        BuiltPrompt p = b.build("Summarise what the sources say.", cs, maxTokens);
        assertThat(p.ids().length + maxTokens).isLessThanOrEqualTo(context);
        assertThat(p.ids().length + maxTokens).as("the window is used, not wasted").isGreaterThan(context - 100);
        int kept = p.sources().size();
        assertThat(kept).isBetween(1, 11);
        assertThat(p.droppedSources()).isEqualTo(cs.size() - kept);
        for (int i = 0; i < kept; i++) {
            assertThat(p.sources().get(i).n()).isEqualTo(i + 1); // a prefix of the ranking: the best chunks stay
        }
        SourceChunk last = p.sources().get(kept - 1);
        assertThat(p.truncated()).isTrue();
        assertThat(last.text()).endsWith("…");
        assertThat(cs.get(kept - 1).text()).startsWith(last.text().substring(0, last.text().length() - 2));
        assertThat(p.text()).contains("Question: Summarise what the sources say.");
        // maximal: the full chunk that was cut would not have fitted
        List<SourceChunk> oneMore = new ArrayList<>(cs.subList(0, kept));
        BuiltPrompt full = new CitationPromptBuilder(tokenizer, 100_000, null).build("Summarise what the sources say.", oneMore, maxTokens);
        assertThat(full.ids().length + maxTokens).isGreaterThan(context);
    }

    @Test
    void aSmallWindowDropsWholeChunks() {
        CitationPromptBuilder b = new CitationPromptBuilder(tokenizer, 700, null);
        BuiltPrompt p = b.build("Q?", chunks(5, 150), 64);
        assertThat(p.ids().length + 64).isLessThanOrEqualTo(700);
        assertThat(p.sources().size()).isLessThan(5);
        assertThat(p.droppedSources() + p.sources().size()).isEqualTo(5);
    }

    @Test
    void aQuestionThatCannotFitIsAClearError() {
        CitationPromptBuilder b = new CitationPromptBuilder(tokenizer, context, null);
        assertThatThrownBy(() -> b.build("x".repeat(3000), chunks(2, 100), 16))
                .isInstanceOf(PromptTooLongException.class).hasMessageContaining("context of " + context);
        assertThatThrownBy(() -> b.build("q", List.of(), context))
                .isInstanceOf(PromptTooLongException.class).hasMessageContaining("maxTokens");
    }

    @Test
    void aConversationKeepsItsTurnsAndItsSystemMessage() {
        CitationPromptBuilder b = new CitationPromptBuilder(tokenizer, context, "Cite as [n].");
        List<ChatMessage> conv = List.of(ChatMessage.system("You are terse."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello."), ChatMessage.user("Where is Quent?"));
        BuiltPrompt p = b.build(conv, chunks(1, 50), 16);
        assertThat(p.messages()).hasSize(4);
        assertThat(p.messages().get(0).content()).isEqualTo("You are terse.\n\nCite as [n].");
        assertThat(p.messages().get(1)).isEqualTo(ChatMessage.user("Hi"));
        assertThat(p.messages().get(2)).isEqualTo(ChatMessage.assistant("Hello."));
        assertThat(p.messages().get(3).content()).startsWith("Sources:\n\n[1] Title 1\n").endsWith("Question: Where is Quent?");
        // without sources the conversation is rendered as it is
        assertThat(b.build(conv, List.of(), 16).messages()).isEqualTo(conv);
    }
}
