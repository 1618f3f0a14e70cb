package dev.ragtune.rag.retrieve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ragtune.retrieval.retrieve.HybridRetriever;
import dev.ragtune.retrieval.retrieve.RetrievalMode;
import dev.ragtune.retrieval.retrieve.RetrievedChunk;
import dev.ragtune.rag.Api;
import dev.ragtune.rag.EmbeddedServices;
import dev.ragtune.retrieval.index.ChunkIndex;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Retrieval over the project's own small multilingual corpus ({@code src/test/resources/multilingual}: Japanese,
 * Chinese, Ukrainian, English, several documents per language with near distractors).
 */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultilingualRetrievalTest {

    static final List<String> DOCS = List.of("ja-tea", "ja-blacktea", "ja-shinkansen", "ja-fuji", "zh-panda", "zh-silk", "zh-porcelain",
            "zh-redpanda", "uk-carpathians", "uk-borscht", "uk-metro", "uk-crimea-mountains", "en-espresso", "en-bees", "en-lighthouses",
            "en-tea");

    @Inject
    ChunkIndex index;

    @Inject
    HybridRetriever retriever;

    private boolean ingested;

    /** Once per class; in @BeforeEach because RestAssured gets the test port only after @BeforeAll. */
    @BeforeEach
    void ingest() throws IOException {
        if (ingested) {
            return;
        }
        ingested = true;
        for (String d : DOCS) {
            try (InputStream in = getClass().getResourceAsStream("/multilingual/" + d + ".md")) {
                Api.upload("ml-" + d, d + ".md", in.readAllBytes(), "text/markdown").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1} → {2}")
    @CsvSource(delimiter = '|', value = {
            // Japanese: 新茶 and 収穫 occur only inside longer sentences without spaces
            "hybrid|新茶の収穫はいつ始まりますか|ml-ja-tea",
            "bm25|新茶の収穫はいつ始まりますか|ml-ja-tea",
            "hybrid|最後の噴火は何年ですか|ml-ja-fuji",
            // bm25, not hybrid: the default all-MiniLM-L6-v2 is an English model, and its vector ranking puts the green-tea
            // document (which also mentions 発酵) first, enough to win the fusion (see docs/rag-service.md, limitations)
            "bm25|紅茶はどのように発酵させますか|ml-ja-blacktea",
            "hybrid|新幹線の最高時速は|ml-ja-shinkansen",
            // Chinese
            "hybrid|大熊猫每天吃多少竹子|ml-zh-panda",
            "bm25|大熊猫每天吃多少竹子|ml-zh-panda",
            "hybrid|青花瓷是怎么烧制的|ml-zh-porcelain",
            "hybrid|丝绸之路上运送什么货物|ml-zh-silk",
            // Ukrainian: inflected forms differ between question and text (Карпатах / Карпат, вершина / вершиною)
            "hybrid|Яка вершина найвища в Українських Карпатах?|ml-uk-carpathians",
            "bm25|Яка вершина найвища в Українських Карпатах?|ml-uk-carpathians",
            "hybrid|Як зробити борщ червоним?|ml-uk-borscht",
            "hybrid|Коли відкрили київське метро?|ml-uk-metro",
            // English: stemmed (pollinate / pollination)
            "hybrid|How much pressure does an espresso machine use?|ml-en-espresso",
            "hybrid|Which insects do pollination of almonds?|ml-en-bees",
            "bm25|lenses that make lighthouse beams visible|ml-en-lighthouses",
            "vector|How much pressure does an espresso machine use?|ml-en-espresso",
    })
    void theRightDocumentRanksFirst(String mode, String question, String expected) {
        List<String> ids = Api.documentIds(question, 5, mode);
        assertThat(ids).as("results for '%s' (%s)", question, mode).isNotEmpty();
        assertThat(ids.get(0)).as("best result for '%s' (%s): %s", question, mode, ids).isEqualTo(expected);
    }

    @Test
    void japaneseAndChineseWordsAreSearchableOnTheirOwn() {
        // single words that only appear inside sentences: the analyzers must segment them out
        assertThat(retriever.retrieve("収穫", 3, Map.of(), RetrievalMode.BM25)).extracting(RetrievedChunk::documentId).first()
                .isEqualTo("ml-ja-tea");
        assertThat(retriever.retrieve("宝永", 3, Map.of(), RetrievalMode.BM25)).extracting(RetrievedChunk::documentId).first()
                .isEqualTo("ml-ja-fuji");
        assertThat(retriever.retrieve("竹子", 3, Map.of(), RetrievalMode.BM25)).extracting(RetrievedChunk::documentId)
                .containsAnyOf("ml-zh-panda", "ml-zh-redpanda").doesNotContain("ml-zh-silk");
        assertThat(retriever.retrieve("瓷器", 3, Map.of(), RetrievalMode.BM25)).extracting(RetrievedChunk::documentId)
                .contains("ml-zh-porcelain");
    }

    @Test
    void chunksAreIndexedUnderTheirDetectedLanguage() {
        Map<String, String> expected = Map.of("ml-ja-tea", "ja", "ml-zh-panda", "zh", "ml-uk-borscht", "uk", "ml-en-bees", "en");
        expected.forEach((doc, lang) -> {
            List<RetrievedChunk> found = retriever.retrieve("x", 100, Map.of(), RetrievalMode.VECTOR).stream()
                    .filter(c -> c.documentId().equals(doc)).toList();
            assertThat(found).as(doc).isNotEmpty().allSatisfy(c -> assertThat(c.language()).isEqualTo(lang));
        });
    }

    @Test
    void headingPathsAreKept() {
        RetrievedChunk c = retriever.retrieve("深蒸し茶", 1, Map.of(), RetrievalMode.BM25).get(0);
        assertThat(c.documentId()).isEqualTo("ml-ja-tea");
        assertThat(c.headingPath()).isEqualTo("静岡の緑茶 > 製法");
    }

    static String read(String name) throws IOException {
        try (InputStream in = MultilingualRetrievalTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
