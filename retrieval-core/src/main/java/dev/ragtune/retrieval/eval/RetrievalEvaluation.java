package dev.ragtune.retrieval.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.retrieval.index.IndexedChunk;
import dev.ragtune.retrieval.ingest.DocumentRejectedException;
import dev.ragtune.retrieval.ingest.ParsedDocument;
import dev.ragtune.retrieval.retrieve.RetrievalCore;
import dev.ragtune.retrieval.retrieve.RetrievalMode;
import dev.ragtune.retrieval.retrieve.RetrievedChunk;

/**
 * Retrieval evaluation at document level: recall@5, recall@10 and MRR@10 of each mode (hybrid, bm25, vector) over a
 * JSONL of {@code {"question": "...", "relevant": ["doc id", ...]}}. Document ids are the files' paths relative to
 * the documents folder, with {@code /} separators (e.g. {@code library/functions.html}). Plain classes: the command
 * {@code ./ragtune eval retrieval --docs DIR --questions FILE.jsonl} drives it.
 */
public final class RetrievalEvaluation {

    /** Chunks retrieved per question before they are reduced to distinct documents. */
    static final int CHUNKS_PER_QUESTION = 50;

    /** One question; {@code line} is its line in the JSONL file (1-based; 0 when it did not come from a file). */
    public record Question(String question, List<String> relevant, int line) {

        public Question(String question, List<String> relevant) {
            this(question, relevant, 0);
        }
    }

    /** Scores of one mode, averaged over the questions. */
    public record ModeScores(String mode, int questions, double recallAt5, double recallAt10, double mrrAt10) {
    }

    /**
     * What ingesting a folder did.
     *
     * @param documentIds the ids of the documents indexed, in ingestion order
     * @param skipped     {@code "<id>: <why>"} for each file that was not indexed
     */
    public record Ingested(int documents, int chunks, List<String> skipped, List<String> documentIds) {

        public Ingested(int documents, int chunks, List<String> skipped) {
            this(documents, chunks, skipped, List.of());
        }
    }

    /** One question's scores against a ranked list of distinct documents. */
    public record QuestionScores(double recallAt5, double recallAt10, double reciprocalRankAt10) {
    }

    /** One question in one mode: the first ten distinct documents retrieved and the scores they give. */
    public record QuestionResult(Question question, List<String> top10, QuestionScores scores) {
    }

    /** A mode's averages and the per-question results they average. */
    public record ModeResult(ModeScores scores, List<QuestionResult> questions) {
    }

    /** Told after each file of {@link #ingest} (indexed or skipped). */
    @FunctionalInterface
    public interface IngestProgress {
        void update(int filesDone, int filesTotal, int chunks);
    }

    /** Documents are indexed in bulk, one commit per this many chunks (or at the end). */
    static final int CHUNKS_PER_COMMIT = 1024;

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
            for (JsonNode r : rel) {
                if (!r.isTextual() || r.asText().isBlank()) {
                    throw new IllegalArgumentException(where + ": \"relevant\" must hold document ids (strings), found " + r);
                }
                ids.add(r.asText());
            }
            out.add(new Question(q.asText(), List.copyOf(ids), i + 1));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(jsonl + " has no questions");
        }
        return out;
    }

    /**
     * Ingests every supported file under {@code dir} (id = relative path); unsupported or unreadable files are skipped,
     * and so are folders whose name starts with {@code _} or {@code .} (build artefacts such as Sphinx's
     * {@code _sources}, which would otherwise be duplicates of the pages under other ids) and hidden files.
     */
    public static Ingested ingestFolder(RetrievalCore core, Path dir) throws IOException {
        return ingest(core, dir, documentIds(dir, List.of()), (done, total, chunks) -> {
        });
    }

    /**
     * The ids (paths relative to {@code dir}, {@code /}-separated, sorted) of the regular files that {@link #ingest}
     * would try: neither under a folder whose name starts with {@code _} or {@code .}, nor hidden themselves, nor
     * matching one of the {@code excludeGlobs}. A glob without {@code /} is matched against the file's name at any
     * depth ({@code genindex*.html}), one with {@code /} against the whole id ({@code whatsnew/*.html}).
     */
    public static List<String> documentIds(Path dir, List<String> excludeGlobs) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("documents folder " + dir + " does not exist or is not a folder");
        }
        List<PathMatcher> byName = new ArrayList<>();
        List<PathMatcher> byPath = new ArrayList<>();
        for (String g : excludeGlobs) {
            if (g == null || g.isBlank()) {
                continue;
            }
            PathMatcher m;
            try {
                m = FileSystems.getDefault().getPathMatcher("glob:" + g.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("exclude pattern '" + g + "' is not a valid glob: " + e.getMessage());
            }
            (g.contains("/") ? byPath : byName).add(m);
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .map(dir::relativize)
                    .filter(rel -> !hiddenOrBuildFolder(rel))
                    .filter(rel -> byName.stream().noneMatch(m -> m.matches(rel.getFileName())) && byPath.stream().noneMatch(m -> m.matches(rel)))
                    .map(rel -> rel.toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        }
    }

    /**
     * Parses, chunks, embeds and indexes the given documents of {@code dir} (ids from {@link #documentIds}), committing
     * in bulk; files the parser refuses (unsupported type, empty, unreadable) are skipped with the reason.
     */
    public static Ingested ingest(RetrievalCore core, Path dir, List<String> ids, IngestProgress progress) throws IOException {
        int chunks = 0;
        List<String> skipped = new ArrayList<>();
        List<String> indexed = new ArrayList<>();
        Map<String, List<IndexedChunk>> pending = new LinkedHashMap<>();
        int pendingChunks = 0;
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Path f = dir.resolve(id);
            try {
                ParsedDocument p = core.parser().parse(Files.readAllBytes(f), f.getFileName().toString(), null);
                List<IndexedChunk> prepared = core.prepare(id, p.title(), Map.of(), p.text());
                pending.put(id, prepared);
                pendingChunks += prepared.size();
                chunks += prepared.size();
                indexed.add(id);
            } catch (DocumentRejectedException e) {
                skipped.add(id + ": " + e.getMessage());
            }
            if (pendingChunks >= CHUNKS_PER_COMMIT || i == ids.size() - 1) {
                if (!pending.isEmpty()) {
                    core.index().replaceDocuments(pending);
                }
                pending = new LinkedHashMap<>();
                pendingChunks = 0;
            }
            progress.update(i + 1, ids.size(), chunks);
        }
        return new Ingested(indexed.size(), chunks, List.copyOf(skipped), List.copyOf(indexed));
    }

    /**
     * Every relevant id of every question must be one of {@code documentIds}: a question set that does not match the
     * corpus would otherwise score 0 silently. The error names each offending line and id (the first 20).
     *
     * @param where what the ids are, for the message ("the 12 documents under /docs")
     */
    public static void checkRelevant(List<Question> questions, Set<String> documentIds, String where) {
        List<String> unknown = new ArrayList<>();
        int count = 0;
        for (Question q : questions) {
            for (String id : q.relevant()) {
                if (!documentIds.contains(id)) {
                    count++;
                    if (unknown.size() < 20) {
                        unknown.add((q.line() > 0 ? "line " + q.line() : "question '" + q.question() + "'") + ": '" + id + "'");
                    }
                }
            }
        }
        if (count > 0) {
            throw new IllegalArgumentException(count + " relevant document id" + (count == 1 ? " is" : "s are") + " not among " + where
                    + " (ids are paths relative to the documents folder): " + String.join("; ", unknown) + (count > unknown.size() ? "; …" : ""));
        }
    }

    private static boolean hiddenOrBuildFolder(Path relative) {
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            String name = relative.getName(i).toString();
            if (name.startsWith("_") || name.startsWith(".")) {
                return true;
            }
        }
        return relative.getFileName().toString().startsWith(".");
    }

    /** Runs every question in every mode against what the core has indexed. */
    public static List<ModeScores> evaluate(RetrievalCore core, List<Question> questions) {
        return evaluate(core, questions, List.of(RetrievalMode.values())).stream().map(ModeResult::scores).toList();
    }

    /** Runs every question in each of the given modes; the per-question results come with the averages. */
    public static List<ModeResult> evaluate(RetrievalCore core, List<Question> questions, List<RetrievalMode> modes) {
        List<ModeResult> out = new ArrayList<>();
        for (RetrievalMode mode : modes) {
            double r5 = 0;
            double r10 = 0;
            double mrr = 0;
            List<QuestionResult> results = new ArrayList<>(questions.size());
            for (Question q : questions) {
                List<RetrievedChunk> chunks = core.retriever().retrieve(q.question(), CHUNKS_PER_QUESTION, Map.of(), mode);
                List<String> ranked = distinctDocuments(chunks);
                QuestionScores s = score(ranked, Set.copyOf(q.relevant()));
                results.add(new QuestionResult(q, ranked.subList(0, Math.min(10, ranked.size())), s));
                r5 += s.recallAt5();
                r10 += s.recallAt10();
                mrr += s.reciprocalRankAt10();
            }
            int n = questions.size();
            out.add(new ModeResult(new ModeScores(mode.id(), n, r5 / n, r10 / n, mrr / n), List.copyOf(results)));
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
