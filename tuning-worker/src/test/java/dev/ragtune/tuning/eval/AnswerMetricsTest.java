package dev.ragtune.tuning.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Exact match and token-F1 against values worked out by hand. */
class AnswerMetricsTest {

    @Test
    void normalisationTrimsCollapsesCaseFoldsAndStripsTrailingPunctuation() {
        assertThat(AnswerNormalizer.normalize("  The Zorbat river \t is\nVIOLET. ")).isEqualTo("the zorbat river is violet");
        assertThat(AnswerNormalizer.normalize("Kestrin, Drovania!?")).isEqualTo("kestrin, drovania");
        assertThat(AnswerNormalizer.normalize("\"Yes.\" ")).isEqualTo("\"yes"); // only trailing punctuation goes
        assertThat(AnswerNormalizer.normalize("ゾルバト川は紫色です。")).isEqualTo("ゾルバト川は紫色です");
        assertThat(AnswerNormalizer.normalize("ＡＢＣ！")).isEqualTo("abc");   // NFKC: full-width forms
        assertThat(AnswerNormalizer.normalize("3.5")).isEqualTo("3.5");        // inner punctuation stays
        assertThat(AnswerNormalizer.normalize(" ...")).isEmpty();
    }

    @Test
    void exactMatchComparesNormalisedTexts() {
        assertThat(AnswerMetrics.exactMatch("The Zorbat river is violet.", "the zorbat river  is violet")).isTrue();
        assertThat(AnswerMetrics.exactMatch("The Zorbat river is violet", "The Zorbat river is blue.")).isFalse();
        assertThat(AnswerMetrics.exactMatch("violet", "The Zorbat river is violet.")).isFalse();
        assertThat(AnswerMetrics.exactMatch("Kestrin Drovania", "Kestrin, Drovania")).isFalse();
    }

    @Test
    void tokensSplitWordsOnWhitespaceAndPunctuationAndCjkByCharacter() {
        assertThat(AnswerMetrics.tokens("Kestrin, Drovania's capital.")).containsExactly("kestrin", "drovania", "s", "capital");
        assertThat(AnswerMetrics.tokens("ゾルバト川は紫色")).containsExactly("ゾ", "ル", "バ", "ト", "川", "は", "紫", "色");
        assertThat(AnswerMetrics.tokens("Edda 创建了 Quillmere")).containsExactly("edda", "创", "建", "了", "quillmere");
        assertThat(AnswerMetrics.tokens("  ")).isEmpty();
    }

    @Test
    void tokenF1MatchesHandComputedValues() {
        // answer "the river is blue" (4), reference "the zorbat river is violet" (5): common the, river, is = 3
        // P = 3/4, R = 3/5, F1 = 2·0.75·0.6 / 1.35 = 0.6666…
        assertThat(AnswerMetrics.tokenF1("The river is blue.", "The Zorbat river is violet.")).isCloseTo(2.0 / 3.0, within(1e-12));
        // repeated tokens count at most as often as the reference has them: answer "the the the" vs "the cat"
        // common = 1, P = 1/3, R = 1/2, F1 = 2·(1/6)/(5/6) = 0.4
        assertThat(AnswerMetrics.tokenF1("the the the", "the cat")).isCloseTo(0.4, within(1e-12));
        assertThat(AnswerMetrics.tokenF1("The Zorbat river is violet", "the zorbat river is violet.")).isEqualTo(1.0);
        assertThat(AnswerMetrics.tokenF1("green", "violet")).isZero();
        // CJK by character: answer 紫色です (4 chars) vs 紫色 (2): common 2, P = 1/2, R = 1, F1 = 2/3
        assertThat(AnswerMetrics.tokenF1("紫色です", "紫色")).isCloseTo(2.0 / 3.0, within(1e-12));
        // empty answers
        assertThat(AnswerMetrics.tokenF1("", "violet")).isZero();
        assertThat(AnswerMetrics.tokenF1("violet", "...")).isZero();
        assertThat(AnswerMetrics.tokenF1("", "")).isEqualTo(1.0);
    }

    @Test
    void scoresAverageOverExamples() {
        AnswerScores s = new AnswerScores.Builder()
                .add("The Zorbat river is violet.", "The Zorbat river is violet.")   // EM 1, F1 1
                .add("The river is blue.", "The Zorbat river is violet.")            // EM 0, F1 2/3
                .add("green", "violet")                                              // EM 0, F1 0
                .add("紫色です", "紫色")                                               // EM 0, F1 2/3
                .build();
        assertThat(s.examples()).isEqualTo(4);
        assertThat(s.exactMatch()).isCloseTo(0.25, within(1e-12));
        assertThat(s.tokenF1()).isCloseTo((1 + 2.0 / 3 + 0 + 2.0 / 3) / 4, within(1e-12));
        assertThat(s.misses()).hasSize(3).first().asString().contains("≠");
        AnswerScores empty = new AnswerScores.Builder().build();
        assertThat(empty.exactMatch()).isNaN();
        assertThat(empty.tokenF1()).isNaN();
    }

    @Test
    void nullAnswerIsAClearError() {
        assertThatThrownBy(() -> AnswerMetrics.exactMatch(null, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    @Test
    void lossResultPerplexityIsExpOfTokenWeightedMeanLoss() {
        LossResult r = LossResult.of(6.0, 4, 2);
        assertThat(r.loss()).isEqualTo(1.5);
        assertThat(r.perplexity()).isCloseTo(Math.exp(1.5), within(1e-12));
        assertThat(LossResult.of(0, 0, 0).loss()).isNaN();
        assertThat(List.of(r.targetTokens(), (long) r.conversations())).containsExactly(4L, 2L);
    }
}
