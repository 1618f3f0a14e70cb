package dev.ragtune.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtune.retrieval.eval.RetrievalEvaluation;
import dev.ragtune.retrieval.eval.RetrievalEvaluation.Ingested;
import dev.ragtune.retrieval.eval.RetrievalEvaluation.ModeResult;
import dev.ragtune.retrieval.eval.RetrievalEvaluation.ModeScores;
import dev.ragtune.retrieval.eval.RetrievalEvaluation.Question;
import dev.ragtune.retrieval.eval.RetrievalEvaluation.QuestionResult;
import dev.ragtune.retrieval.retrieve.RetrievalCore;
import dev.ragtune.retrieval.retrieve.RetrievalMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code ragtune eval retrieval --docs DIR --questions FILE.jsonl}: ingests a folder into a fresh retrieval core
 * (the service's parser, chunker, MiniLM embedder and Lucene index, without the service) and reports recall@5,
 * recall@10 and MRR@10 of hybrid, BM25-only and vector-only retrieval at document level.
 */
@Command(name = "retrieval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Ingest a folder of documents and score hybrid, BM25-only and vector-only retrieval on a question set:",
                "recall@5, recall@10 and MRR@10 over distinct documents.",
                "Questions: JSONL lines {\"question\":\"...\",\"relevant\":[\"path/relative/to/docs.html\", ...]}.",
                "Every relevant id must name a file under --docs; progress goes to stderr, results to stdout."})
public final class EvalRetrievalCommand implements Callable<Integer> {

    /** The file that marks an --index-dir as ours and says what it holds. */
    static final String MANIFEST = "ragtune-eval-index.json";
    private static final int MANIFEST_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Option(names = "--docs", required = true, paramLabel = "DIR",
            description = "Folder of documents (HTML, Markdown, text, PDF, DOCX); a document's id is its path relative to DIR.")
    Path docs;
    @Option(names = "--questions", required = true, paramLabel = "FILE",
            description = "Question set, JSONL: {\"question\": \"...\", \"relevant\": [\"doc id\", ...]} per line.")
    Path questionsFile;
    @Option(names = "--modes", split = ",", paramLabel = "MODE", defaultValue = "hybrid,bm25,vector",
            description = "Retrieval modes to score, comma-separated (default ${DEFAULT-VALUE}).")
    List<String> modes;
    @Option(names = "--exclude", split = ",", paramLabel = "GLOB",
            description = "Leave out files matching a glob: without '/' it matches the file name at any depth (genindex*.html), "
                    + "with '/' the whole relative path. Repeatable or comma-separated. Folders starting with _ or . and hidden "
                    + "files are always left out.")
    List<String> excludes = new ArrayList<>();
    @Option(names = "--index-dir", paramLabel = "DIR",
            description = "Keep the index here and reuse it when it already holds these documents (same files, contents, "
                    + "settings and model), skipping the embedding. Must be new, empty or an earlier --index-dir. "
                    + "Default: a temporary folder, deleted afterwards.")
    Path indexDir;
    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "ONNX Runtime intra-op threads for the embedder (default 0: ONNX Runtime's choice).")
    int threads;
    @Option(names = "--per-question", description = "Also list each question's rank of its first relevant document per mode.")
    boolean perQuestion;
    @Option(names = "--json", description = "Machine-readable output (one JSON object on stdout).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<RetrievalMode> modeList = parseModes(modes);
        if (!Files.isDirectory(docs)) {
            throw new IllegalArgumentException("--docs " + docs + " does not exist or is not a folder");
        }
        if (!Files.isRegularFile(questionsFile)) {
            throw new IllegalArgumentException("--questions " + questionsFile + " does not exist or is not a file");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be 0 (ONNX Runtime's choice) or more, got " + threads);
        }
        List<Question> questions = RetrievalEvaluation.readQuestions(questionsFile);
        List<String> candidates = RetrievalEvaluation.documentIds(docs, excludes);
        int excluded = excludes.stream().anyMatch(g -> !g.isBlank())
                ? RetrievalEvaluation.documentIds(docs, List.of()).size() - candidates.size() : 0;
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("--docs " + docs + " holds no files to ingest"
                    + (excluded > 0 ? " (" + excluded + " left out by --exclude)" : ""));
        }
        // before minutes of embedding: a question set that does not match the corpus must not silently score 0
        RetrievalEvaluation.checkRelevant(questions, Set.copyOf(candidates), "the " + candidates.size() + " files under " + docs
                + (excluded > 0 ? " (after --exclude)" : ""));

        boolean temporary = indexDir == null;
        Path dir = temporary ? Files.createTempDirectory("ragtune-eval-") : indexDir.toAbsolutePath();
        try {
            String fingerprint = temporary ? null : fingerprint(docs, candidates);
            run(dir, temporary, fingerprint, candidates, modeList, questions, excluded, out, err);
            return 0;
        } finally {
            if (temporary) {
                deleteTree(dir);
            }
        }
    }

    /** What ingestion (this run's or an earlier one's, reused) produced. */
    record Ingest(Ingested ingested, double seconds, boolean reused, String modelId) {
    }

    /** Ingests (or reuses the index), checks the question set against what was ingested, scores and prints. */
    private void run(Path dir, boolean temporary, String fingerprint, List<String> candidates, List<RetrievalMode> modeList,
                     List<Question> questions, int excluded, PrintWriter out, PrintWriter err) throws IOException {
        JsonNode manifest = temporary ? null : prepareIndexDir(dir, fingerprint);
        if (!temporary && manifest == null) {
            markIngesting(dir); // before Lucene writes there: an interrupted ingestion leaves a folder the next run recognises and clears
        }
        RetrievalCore.Settings d = RetrievalCore.Settings.defaults(dir);
        RetrievalCore.Settings settings = new RetrievalCore.Settings(dir, d.modelDir(), d.batchSize(), d.maxSequenceLength(), threads,
                d.chunkTokens(), d.chunkOverlapTokens(), d.languages(), d.maxDocumentBytes(), d.rrfK(), d.candidates());
        RetrievalCore core = RetrievalCore.open(settings);
        try {
            Ingest ingest = manifest == null ? null : reusable(core, manifest);
            if (ingest == null) {
                if (manifest != null) {
                    // same files, but the index does not hold what the manifest says: start it again
                    core.close();
                    core = null;
                    clearFolder(dir);
                    markIngesting(dir);
                    core = RetrievalCore.open(settings);
                }
                ingest = ingest(core, candidates, err);
                if (!temporary) {
                    writeManifest(dir, fingerprint, ingest);
                }
            } else {
                err.printf(Locale.ROOT, "reusing the index in %s (%d documents, %d chunks; ingested earlier in %.1f s)%n", dir,
                        ingest.ingested().documents(), ingest.ingested().chunks(), ingest.seconds());
                err.flush();
            }
            Ingested in = ingest.ingested();
            for (String s : in.skipped()) {
                err.println("skipped " + s);
            }
            err.flush();
            String skippedNote = in.skipped().isEmpty() ? "" : "; " + in.skipped().size() + " files were skipped (listed on stderr)";
            RetrievalEvaluation.checkRelevant(questions, Set.copyOf(in.documentIds()),
                    "the " + in.documents() + " documents ingested from " + docs + skippedNote);
            long t0 = System.nanoTime();
            List<ModeResult> results = RetrievalEvaluation.evaluate(core, questions, modeList);
            double evalSeconds = (System.nanoTime() - t0) / 1e9;
            if (json) {
                printJson(out, ingest, excluded, questions, results, evalSeconds);
            } else {
                printText(out, ingest, excluded, questions, results, evalSeconds);
            }
            out.flush();
        } finally {
            if (core != null) {
                core.close();
            }
        }
    }

    private Ingest ingest(RetrievalCore core, List<String> candidates, PrintWriter err) throws IOException {
        boolean tty = System.console() != null;
        long start = System.nanoTime();
        long[] lastPrint = {start};
        err.printf(Locale.ROOT, "ingesting %d files from %s (embedding model %s)…%n", candidates.size(), docs, core.embedder().modelId());
        err.flush();
        Ingested in = RetrievalEvaluation.ingest(core, docs, candidates, (done, total, chunks) -> {
            long now = System.nanoTime();
            boolean last = done == total;
            if (!last && now - lastPrint[0] < (tty ? 500_000_000L : 10_000_000_000L)) {
                return;
            }
            lastPrint[0] = now;
            double s = (now - start) / 1e9;
            String line = String.format(Locale.ROOT, "ingest: %d/%d files (%.0f%%), %,d chunks, %.1f chunks/s, %.0f s",
                    done, total, 100.0 * done / total, chunks, chunks / Math.max(s, 1e-9), s);
            if (tty) {
                err.print("\r" + line + "   ");
                if (last) {
                    err.println();
                }
            } else {
                err.println(line);
            }
            err.flush();
        });
        return new Ingest(in, (System.nanoTime() - start) / 1e9, false, core.embedder().modelId());
    }

    static List<RetrievalMode> parseModes(List<String> names) {
        Set<RetrievalMode> out = new LinkedHashSet<>();
        for (String n : names) {
            if (n.isBlank()) {
                continue;
            }
            try {
                out.add(RetrievalMode.parse(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--modes: " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--modes names no mode: give hybrid, bm25 and/or vector");
        }
        return List.copyOf(out);
    }

    // ---- --index-dir: reuse an index of the same documents ----

    /**
     * Checks that {@code dir} is new, empty or ours; returns its manifest when it already holds an index of exactly
     * these documents, else clears it (ours) and returns null.
     */
    private static JsonNode prepareIndexDir(Path dir, String fingerprint) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--index-dir " + dir + " is not a folder");
        }
        if (!Files.isDirectory(dir) || isEmpty(dir)) {
            return null;
        }
        Path m = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(m)) {
            throw new IllegalArgumentException("--index-dir " + dir + " is not empty and holds no earlier evaluation index (no " + MANIFEST
                    + "); give a new or empty folder");
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(m.toFile());
        } catch (IOException e) {
            manifest = null;
        }
        if (manifest != null && manifest.path("version").asInt() == MANIFEST_VERSION && fingerprint.equals(manifest.path("fingerprint").asText())) {
            return manifest;
        }
        clearFolder(dir);
        return null;
    }

    /** The earlier ingestion the manifest records, if the open index really holds it (same model, same chunk count). */
    private static Ingest reusable(RetrievalCore core, JsonNode manifest) {
        String model = core.embedder().modelId();
        if (!model.equals(manifest.path("embedding_model").asText()) || !model.equals(core.index().indexedModelId())
                || core.index().chunkCount() != manifest.path("chunks").asInt(-1)) {
            return null;
        }
        List<String> ids = new ArrayList<>();
        manifest.path("document_ids").forEach(n -> ids.add(n.asText()));
        List<String> skipped = new ArrayList<>();
        manifest.path("skipped").forEach(n -> skipped.add(n.asText()));
        Ingested in = new Ingested(ids.size(), manifest.path("chunks").asInt(), List.copyOf(skipped), List.copyOf(ids));
        return new Ingest(in, manifest.path("ingest_seconds").asDouble(), true, model);
    }

    private static void markIngesting(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode m = JSON.createObjectNode();
        m.put("version", MANIFEST_VERSION);
        m.put("fingerprint", "(ingestion in progress or interrupted)");
        JSON.writeValue(dir.resolve(MANIFEST).toFile(), m);
    }

    private void writeManifest(Path dir, String fingerprint, Ingest ingest) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("version", MANIFEST_VERSION);
        m.put("fingerprint", fingerprint);
        m.put("docs", docs.toAbsolutePath().toString());
        m.put("embedding_model", ingest.modelId());
        m.put("chunks", ingest.ingested().chunks());
        m.put("ingest_seconds", ingest.seconds());
        ArrayNode ids = m.putArray("document_ids");
        ingest.ingested().documentIds().forEach(ids::add);
        ArrayNode skipped = m.putArray("skipped");
        ingest.ingested().skipped().forEach(skipped::add);
        Path tmp = dir.resolve(MANIFEST + ".tmp");
        JSON.writeValue(tmp.toFile(), m);
        Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** SHA-256 over the settings that shape the index and every candidate file's id and content. */
    private String fingerprint(Path root, List<String> ids) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        RetrievalCore.Settings s = RetrievalCore.Settings.defaults(Path.of("."));
        md.update(("v" + MANIFEST_VERSION + " " + s.chunkTokens() + " " + s.chunkOverlapTokens() + " " + s.maxSequenceLength() + " "
                + s.languages() + " " + s.maxDocumentBytes() + "\n").getBytes(StandardCharsets.UTF_8));
        for (String id : ids) {
            md.update(id.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            byte[] content = Files.readAllBytes(root.resolve(id));
            md.update(Long.toString(content.length).getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(content);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void clearFolder(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                deleteTree(p);
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    // ---- output ----

    private void printText(PrintWriter out, Ingest ingest, int excluded, List<Question> questions, List<ModeResult> results, double evalSeconds) {
        Ingested in = ingest.ingested();
        out.printf(Locale.ROOT, "documents: %d ingested from %s, %,d chunks; %d files skipped, %d excluded%n", in.documents(), docs,
                in.chunks(), in.skipped().size(), excluded);
        if (ingest.reused()) {
            out.printf(Locale.ROOT, "ingest: reused the index in %s (ingested earlier in %.1f s, %.1f chunks/s)%n", indexDir,
                    ingest.seconds(), in.chunks() / Math.max(ingest.seconds(), 1e-9));
        } else {
            out.printf(Locale.ROOT, "ingest: %.1f s, %.1f chunks/s (embedding model %s)%n", ingest.seconds(),
                    in.chunks() / Math.max(ingest.seconds(), 1e-9), ingest.modelId());
        }
        out.printf(Locale.ROOT, "questions: %d from %s, scored in %.1f s%n%n", questions.size(), questionsFile, evalSeconds);
        out.printf(Locale.ROOT, "%-7s %9s %9s %10s %7s%n", "mode", "questions", "recall@5", "recall@10", "MRR@10");
        for (ModeResult r : results) {
            ModeScores s = r.scores();
            out.printf(Locale.ROOT, "%-7s %9d %9.3f %10.3f %7.3f%n", s.mode(), s.questions(), s.recallAt5(), s.recallAt10(), s.mrrAt10());
        }
        if (perQuestion) {
            out.println();
            out.println("rank of the first relevant document in the top 10 (- = not found), per question:");
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-6s", "line"));
            results.forEach(r -> head.append(String.format(Locale.ROOT, " %7s", r.scores().mode())));
            out.println(head.append("  question"));
            for (int i = 0; i < questions.size(); i++) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-6d", questions.get(i).line()));
                for (ModeResult r : results) {
                    double rr = r.questions().get(i).scores().reciprocalRankAt10();
                    row.append(String.format(Locale.ROOT, " %7s", rr == 0 ? "-" : String.valueOf(Math.round(1 / rr))));
                }
                out.println(row.append("  ").append(questions.get(i).question()));
            }
        }
    }

    private void printJson(PrintWriter out, Ingest ingest, int excluded, List<Question> questions, List<ModeResult> results,
                           double evalSeconds) throws IOException {
        Ingested in = ingest.ingested();
        ObjectNode root = JSON.createObjectNode();
        root.put("docs", docs.toString());
        root.put("questions_file", questionsFile.toString());
        root.put("documents", in.documents());
        root.put("chunks", in.chunks());
        ArrayNode skipped = root.putArray("skipped");
        in.skipped().forEach(skipped::add);
        root.put("excluded", excluded);
        root.put("embedding_model", ingest.modelId());
        root.put("index_reused", ingest.reused());
        root.put("ingest_seconds", ingest.seconds());
        root.put("chunks_per_second", in.chunks() / Math.max(ingest.seconds(), 1e-9));
        root.put("questions", questions.size());
        root.put("eval_seconds", evalSeconds);
        ArrayNode modesNode = root.putArray("modes");
        for (ModeResult r : results) {
            ModeScores s = r.scores();
            ObjectNode m = modesNode.addObject();
            m.put("mode", s.mode());
            m.put("questions", s.questions());
            m.put("recall_at_5", s.recallAt5());
            m.put("recall_at_10", s.recallAt10());
            m.put("mrr_at_10", s.mrrAt10());
            if (perQuestion) {
                ArrayNode qs = m.putArray("per_question");
                for (QuestionResult q : r.questions()) {
                    ObjectNode n = qs.addObject();
                    n.put("line", q.question().line());
                    n.put("question", q.question().question());
                    ArrayNode rel = n.putArray("relevant");
                    q.question().relevant().forEach(rel::add);
                    n.put("recall_at_5", q.scores().recallAt5());
                    n.put("recall_at_10", q.scores().recallAt10());
                    n.put("reciprocal_rank_at_10", q.scores().reciprocalRankAt10());
                    ArrayNode top = n.putArray("top10");
                    q.top10().forEach(top::add);
                }
            }
        }
        out.println(JSON.writeValueAsString(root));
    }
}
