package dev.ragtune.retrieval.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ragtune.retrieval.retrieve.RetrievalCore;

class RetrievalEvaluationTest {

    @TempDir
    Path tmp;

    @Test
    void scoresFollowTheDefinitions() {
        List<String> ranked = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k");
        // relevant at ranks 2 and 7: recall@5 = 1/2, recall@10 = 2/2, RR = 1/2
        RetrievalEvaluation.QuestionScores s = RetrievalEvaluation.score(ranked, Set.of("b", "g"));
        assertThat(s.recallAt5()).isEqualTo(0.5);
        assertThat(s.recallAt10()).isEqualTo(1.0);
        assertThat(s.reciprocalRankAt10()).isEqualTo(0.5);
        // relevant only at rank 11: nothing counts
        RetrievalEvaluation.QuestionScores none = RetrievalEvaluation.score(ranked, Set.of("k"));
        assertThat(none.recallAt10()).isZero();
        assertThat(none.reciprocalRankAt10()).isZero();
    }

    @Test
    void evaluatesAFolderInEveryMode() throws Exception {
        Path docs = tmp.resolve("docs");
        Files.createDirectories(docs.resolve("guide"));
        Files.writeString(docs.resolve("guide/espresso.md"), "# Espresso\n\nAn espresso machine pushes water through coffee at nine bars of pressure.");
        Files.writeString(docs.resolve("guide/bees.md"), "# Bees\n\nHoneybees pollinate almonds and apples and dance to show where food is.");
        Files.writeString(docs.resolve("lighthouse.txt"), "Lighthouses warn ships away from rocks with Fresnel lenses.");
        Files.createDirectories(docs.resolve("_sources"));
        Files.writeString(docs.resolve("_sources/espresso.md.txt"), "An espresso machine pushes water through coffee at nine bars.");
        Files.write(docs.resolve("logo.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
        Path questions = tmp.resolve("q.jsonl");
        Files.writeString(questions, """
                {"question": "How much pressure does an espresso machine use?", "relevant": ["guide/espresso.md"]}

                {"question": "Which insects pollinate almonds?", "relevant": ["guide/bees.md"]}
                {"question": "What warns ships away from rocks?", "relevant": ["lighthouse.txt", "missing.txt"]}
                """);
        try (RetrievalCore core = RetrievalCore.open(RetrievalCore.Settings.defaults(tmp.resolve("index")))) {
            RetrievalEvaluation.Ingested in = RetrievalEvaluation.ingestFolder(core, docs);
            assertThat(in.documents()).isEqualTo(3);
            assertThat(in.skipped()).singleElement().asString().startsWith("logo.png");
            List<RetrievalEvaluation.ModeScores> scores = RetrievalEvaluation.evaluate(core, RetrievalEvaluation.readQuestions(questions));
            assertThat(scores).extracting(RetrievalEvaluation.ModeScores::mode).containsExactly("hybrid", "bm25", "vector");
            for (RetrievalEvaluation.ModeScores s : scores) {
                assertThat(s.questions()).isEqualTo(3);
                // every right document is found first; 'missing.txt' does not exist, so the third question's recall is 1/2
                assertThat(s.mrrAt10()).as(s.mode()).isCloseTo(1.0, within(1e-9));
                assertThat(s.recallAt10()).as(s.mode()).isCloseTo((1 + 1 + 0.5) / 3, within(1e-9));
            }
        }
    }

    @Test
    void malformedQuestionsNameTheLine() throws Exception {
        Path q = tmp.resolve("bad.jsonl");
        Files.writeString(q, "{\"question\": \"ok\", \"relevant\": [\"a\"]}\n{\"question\": \"no relevant\"}\n");
        assertThatThrownBy(() -> RetrievalEvaluation.readQuestions(q)).hasMessageContaining("line 2").hasMessageContaining("relevant");
    }
}
