package dev.ragtune.retrieval.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The default all-MiniLM-L6-v2 through ONNX Runtime, checked against independent computations (no expected vectors). */
class SentenceEmbedderTest {

    static SentenceEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = new SentenceEmbedder(EmbeddingModelSource.defaultModel(), 4, 256, 1);
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void dimensionAndUnitLength() {
        float[] v = embedder.embed("The quick brown fox jumps over the lazy dog.");
        assertThat(embedder.dimension()).isEqualTo(384);
        assertThat(v).hasSize(384);
        assertThat(dot(v, v)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void similarSentencesAreCloserThanUnrelatedOnes() {
        List<float[]> v = embedder.embed(List.of(
                "How do I reset my password?",
                "What are the steps to change my account password?",
                "The Pacific Ocean is the largest ocean on Earth.",
                "A cat is sleeping on the sofa.",
                "A kitten naps on the couch."));
        assertThat(dot(v.get(0), v.get(1))).isGreaterThan(dot(v.get(0), v.get(2)) + 0.2);
        assertThat(dot(v.get(3), v.get(4))).isGreaterThan(dot(v.get(3), v.get(2)) + 0.2);
        assertThat(dot(v.get(3), v.get(4))).isGreaterThan(dot(v.get(3), v.get(0)));
    }

    /** Mean pooling and L2 normalisation recomputed in float64 from the transformer's raw token embeddings. */
    @Test
    void poolingMatchesAFloat64Recomputation() {
        List<String> texts = List.of("short", "a somewhat longer sentence so that the batch has padding in it",
                "日本語の文も埋め込みます。", "Українське речення теж.");
        TokenEmbeddings raw = embedder.tokenEmbeddings(texts);
        List<float[]> pooled = embedder.embed(texts);
        int paddedRows = 0;
        for (int b = 0; b < texts.size(); b++) {
            float[][] tokens = raw.values()[b];
            long[] mask = raw.mask()[b];
            double[] mean = new double[tokens[0].length];
            int n = 0;
            for (int t = 0; t < tokens.length; t++) {
                if (mask[t] == 1) {
                    n++;
                    for (int h = 0; h < mean.length; h++) {
                        mean[h] += tokens[t][h];
                    }
                } else {
                    paddedRows++;
                }
            }
            double norm = 0;
            for (int h = 0; h < mean.length; h++) {
                mean[h] /= n;
                norm += mean[h] * mean[h];
            }
            norm = Math.sqrt(norm);
            for (int h = 0; h < mean.length; h++) {
                assertThat((double) pooled.get(b)[h]).as("text %d dim %d", b, h).isCloseTo(mean[h] / norm, within(2e-5));
            }
        }
        assertThat(paddedRows).as("the batch was padded, so masking was exercised").isGreaterThan(0);
    }

    @Test
    void batchingDoesNotChangeEmbeddings() {
        List<String> texts = List.of("one", "two words", "three words here", "a fourth and longer text", "five", "six is the last one");
        List<float[]> batched = embedder.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = embedder.embed(texts.get(i));
            for (int h = 0; h < alone.length; h++) {
                assertThat(batched.get(i)[h]).isCloseTo(alone[h], within(1e-4f));
            }
        }
    }

    @Test
    void tokenCountsAndOffsetsFollowTheTokenizer() {
        String text = "Tokenization splits words into word pieces.";
        int[] ends = embedder.tokenEnds(text);
        assertThat(ends).hasSize(embedder.count(text));
        assertThat(ends[ends.length - 1]).isEqualTo(text.length());
        for (int i = 1; i < ends.length; i++) {
            assertThat(ends[i]).isGreaterThanOrEqualTo(ends[i - 1]);
        }
        assertThat(embedder.count("word ".repeat(600))).as("no truncation when counting").isEqualTo(600);
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
