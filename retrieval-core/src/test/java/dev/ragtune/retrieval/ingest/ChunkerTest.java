package dev.ragtune.retrieval.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ragtune.retrieval.embed.EmbeddingModelSource;
import dev.ragtune.retrieval.embed.SentenceEmbedder;

/** Chunking with the real embedding tokenizer. */
class ChunkerTest {

    static SentenceEmbedder tokens;

    @BeforeAll
    static void load() {
        tokens = new SentenceEmbedder(EmbeddingModelSource.defaultModel(), 4, 256, 1);
    }

    @AfterAll
    static void close() {
        tokens.close();
    }

    @Test
    void headingsGivePathsAndSectionsNeverMix() {
        String text = """
                # Guide

                Intro paragraph.

                ## Install

                Run the installer. Then restart.

                ### Linux

                Use the package.

                ## Use

                Open the app.""";
        List<Chunk> chunks = new Chunker(tokens, 64, 8).chunk(text);
        assertThat(chunks).extracting(Chunk::headingLine)
                .containsExactly("Guide", "Guide > Install", "Guide > Install > Linux", "Guide > Use");
        assertThat(chunks).extracting(Chunk::text)
                .containsExactly("Intro paragraph.", "Run the installer. Then restart.", "Use the package.", "Open the app.");
        for (Chunk c : chunks) {
            assertThat(text.substring(c.start(), c.end())).isEqualTo(c.text());
        }
        assertThat(chunks).extracting(Chunk::ordinal).containsExactly(0, 1, 2, 3);
    }

    @Test
    void japaneseAndChineseSentencesSplitWithoutSpaces() {
        String ja = "これは最初の文です。二番目の文はここにあります！三番目の文ですか？最後の文。";
        String zh = "这是第一句。这是第二句！这是第三句？";
        // 12-token chunks force one sentence or so per chunk, so boundaries show where sentences end
        List<Chunk> jaChunks = new Chunker(tokens, 12, 0).chunk(ja);
        assertThat(jaChunks.size()).isGreaterThan(1);
        for (Chunk c : jaChunks) {
            assertThat(ja.substring(c.start(), c.end())).isEqualTo(c.text());
            if (c.end() < ja.length() && tokens.count(c.text()) < 12) {
                assertThat(c.text()).matches("(?s).*[。！？]$");
            }
        }
        List<Chunk> zhChunks = new Chunker(tokens, 9, 0).chunk(zh);
        assertThat(zhChunks).extracting(Chunk::text).containsExactly("这是第一句。", "这是第二句！", "这是第三句？");
    }

    @Test
    void chunksRespectTheTokenLimitAndOverlap() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            sb.append("Sentence number ").append(i).append(" talks about retrieval and ranking. ");
        }
        String text = sb.toString().strip();
        Chunker chunker = new Chunker(tokens, 50, 12);
        List<Chunk> chunks = chunker.chunk(text);
        assertThat(chunks.size()).isGreaterThan(5);
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            assertThat(tokens.count(c.text())).isLessThanOrEqualTo(50);
            assertThat(text.substring(c.start(), c.end())).isEqualTo(c.text());
            if (i > 0) {
                Chunk prev = chunks.get(i - 1);
                assertThat(c.start()).as("chunk %d overlaps the previous one", i).isLessThan(prev.end());
                assertThat(c.start()).as("and moves forward").isGreaterThan(prev.start());
                assertThat(tokens.count(text.substring(c.start(), prev.end()))).isLessThanOrEqualTo(12);
            }
        }
        assertThat(chunks.get(chunks.size() - 1).end()).isEqualTo(text.length());
    }

    @Test
    void aDocumentOfHeadingsOnlyIsOneChunk() {
        String text = "# Title\n\n## Subtitle";
        List<Chunk> chunks = new Chunker(tokens, 64, 8).chunk(text);
        assertThat(chunks).singleElement().satisfies(c -> assertThat(c.text()).isEqualTo(text));
    }

    @Test
    void aSentenceLongerThanTheLimitIsCutAtTokenBoundaries() {
        String text = "word ".repeat(130).strip();
        List<Chunk> chunks = new Chunker(tokens, 50, 0).chunk(text);
        assertThat(chunks).hasSize(3);
        assertThat(chunks).allSatisfy(c -> assertThat(tokens.count(c.text())).isLessThanOrEqualTo(50));
        assertThat(chunks.stream().mapToInt(c -> tokens.count(c.text())).sum()).isEqualTo(130);
    }
}
