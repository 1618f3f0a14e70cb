package dev.ragtune.rag.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.rag.ingest.DocumentRejectedException;
import dev.ragtune.rag.ingest.ParsedDocument;
import dev.ragtune.rag.retrieve.RetrievalCore;
import dev.ragtune.rag.retrieve.RetrievalMode;
import dev.ragtune.rag.retrieve.RetrievedChunk;

/**
 * Retrieval evaluation at document level: recall@5, recall@10 and MRR@10 of each mode (hybrid, bm25, vector) over a
 * JSONL of {@code {"question": "...", "relevant": ["doc id", ...]}}. Document ids are the files' paths relative to
 * the documents folder, with {@code /} separators (e.g. {@code library/functions.html}). Plain classes: the command
 * {@code ./ragtune eval retrieval --docs DIR --questions FILE.jsonl} drives it.
 */
public final class RetrievalEvaluation {

    /** Chunks retrieved per question before they are reduced to distinct documents. */
    static final int CHUNKS_PER_QUESTION = 50;

    public record Question(String question, List<String> relevant) {
    }

    /** Scores of one mode, averaged over the questions. */
    public record ModeScores(String mode, int questions, double recallAt5, double recallAt10, double mrrAt10) {
    }

    /** What ingesting a folder did. */
    public record Ingested(int documents, int chunks, List<String> skipped) {
    }

    /** One question's scores against a ranked list of distinct documents. */
    public record QuestionScores(double recallAt5, double recallAt10, double reciprocalRankAt10) {
    }

    private RetrievalEvaluation() {
    }

    /** Reads the questions; a malformed line is an error naming its line number. */
    public static List<Question> readQuestions(Path jsonl) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Question> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(jsonl, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = jsonl + " line " + (i + 1);
            JsonNode n;
            try {
                n = json.readTree(line);
            } catch (IOException e) {
                throw new IllegalArgumentException(where + " is not valid JSON: " + e.getMessage());
            }
            JsonNode q = n.get("question");
            JsonNode rel = n.get("relevant");
            if (q == null || !q.isTextual() || q.asText().isBlank()) {
                throw new IllegalArgumentException(where + ": \"question\" must be a non-empty string");
            }
            if (rel == null || !rel.isArray() || rel.isEmpty()) {
                throw new IllegalArgumentException(where + ": \"relevant\" must be a non-empty array of document ids");
            }
            List<String> ids = new ArrayList<>();
            rel.forEach(r -> ids.add(r.asText()));
            out.add(new Question(q.asText(), List.copyOf(ids)));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(jsonl + " has no questions");
        }
        return out;
    }

    /**
     * Ingests every supported file under {@code dir} (id = relative path); unsupported or unreadable files are skipped,
     * and so are folders whose name starts with {@code _} or {@code .} (build artefacts such as Sphinx's
     * {@code _sources}, which would otherwise be duplicates of the pages under other ids).
     */
    public static Ingested ingestFolder(RetrievalCore core, Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(f -> !hiddenOrBuildFolder(dir.relativize(f))).sorted().toList();
        }
        int docs = 0;
        int chunks = 0;
        List<String> skipped = new ArrayList<>();
        for (Path f : files) {
            String id = dir.relativize(f).toString().replace('\\', '/');
            try {
                ParsedDocument p = core.parser().parse(Files.readAllBytes(f), f.getFileName().toString(), null);
                chunks += core.index(id, p.title(), Map.of(), p.text());
                docs++;
            } catch (DocumentRejectedException e) {
                skipped.add(id + ": " + e.getMessage());
            }
        }
        return new Ingested(docs, chunks, skipped);
    }

    private static boolean hiddenOrBuildFolder(Path relative) {
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            String name = relative.getName(i).toString();
            if (name.startsWith("_") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** Runs every question in every mode against what the core has indexed. */
    public static List<ModeScores> evaluate(RetrievalCore core, List<Question> questions) {
        List<ModeScores> out = new ArrayList<>();
        for (RetrievalMode mode : RetrievalMode.values()) {
            double r5 = 0;
            double r10 = 0;
            double mrr = 0;
            for (Question q : questions) {
                List<RetrievedChunk> chunks = core.retriever().retrieve(q.question(), CHUNKS_PER_QUESTION, Map.of(), mode);
                QuestionScores s = score(distinctDocuments(chunks), Set.copyOf(q.relevant()));
                r5 += s.recallAt5();
                r10 += s.recallAt10();
                mrr += s.reciprocalRankAt10();
            }
            int n = questions.size();
            out.add(new ModeScores(mode.id(), n, r5 / n, r10 / n, mrr / n));
        }
        return out;
    }

    static List<String> distinctDocuments(List<RetrievedChunk> chunks) {
        Set<String> docs = new LinkedHashSet<>();
        chunks.forEach(c -> docs.add(c.documentId()));
        return List.copyOf(docs);
    }

    /** recall@5, recall@10 (share of the relevant documents in the first 5 / 10) and 1/rank of the first relevant one in the first 10. */
    public static QuestionScores score(List<String> rankedDocuments, Set<String> relevant) {
        int in5 = 0;
        int in10 = 0;
        double rr = 0;
        for (int i = 0; i < Math.min(10, rankedDocuments.size()); i++) {
            if (relevant.contains(rankedDocuments.get(i))) {
                in10++;
                if (i < 5) {
                    in5++;
                }
                if (rr == 0) {
                    rr = 1.0 / (i + 1);
                }
            }
        }
        return new QuestionScores((double) in5 / relevant.size(), (double) in10 / relevant.size(), rr);
    }
}
