package dev.ragtune.rag.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.ragtune.rag.retrieve.RetrievalCore;

/**
 * Runs {@link RetrievalEvaluation} by hand (never asserted) until {@code ./ragtune eval retrieval} is wired:
 * <pre>./mvnw -B -ntp -pl rag-service -am verify -Dtest=RetrievalEvaluationRun -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dragtune.eval.docs=/tmp/pydoc/x/usr/share/doc/python3.11/html -Dragtune.eval.questions=$PWD/docs/eval/python-docs-questions.jsonl</pre>
 * Results go to {@code rag-service/target/evaluation-retrieval.txt}.
 */
@Tag("core")
@EnabledIfSystemProperty(named = "ragtune.eval.docs", matches = ".+")
class RetrievalEvaluationRun {

    @Test
    void run() throws Exception {
        Path docs = Path.of(System.getProperty("ragtune.eval.docs"));
        Path questions = Path.of(System.getProperty("ragtune.eval.questions"));
        StringBuilder out = new StringBuilder();
        try (RetrievalCore core = RetrievalCore.open(RetrievalCore.Settings.defaults(Files.createTempDirectory("rag-eval-")))) {
            long t0 = System.nanoTime();
            RetrievalEvaluation.Ingested in = RetrievalEvaluation.ingestFolder(core, docs);
            out.append(String.format(Locale.ROOT, "ingested %d documents, %d chunks in %.0f s (%d files skipped)%n", in.documents(), in.chunks(),
                    (System.nanoTime() - t0) / 1e9, in.skipped().size()));
            List<RetrievalEvaluation.Question> qs = RetrievalEvaluation.readQuestions(questions);
            out.append("| mode | questions | recall@5 | recall@10 | MRR@10 |\n|---|---|---|---|---|\n");
            for (RetrievalEvaluation.ModeScores s : RetrievalEvaluation.evaluate(core, qs)) {
                out.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f |%n", s.mode(), s.questions(), s.recallAt5(), s.recallAt10(),
                        s.mrrAt10()));
            }
        }
        Files.writeString(Path.of("target", "evaluation-retrieval.txt"), out);
        System.out.println(out);
    }
}
