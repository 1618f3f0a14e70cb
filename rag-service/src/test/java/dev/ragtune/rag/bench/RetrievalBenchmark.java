package dev.ragtune.rag.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.ragtune.retrieval.index.IndexedChunk;
import dev.ragtune.retrieval.ingest.ParsedDocument;
import dev.ragtune.retrieval.retrieve.RetrievalCore;
import dev.ragtune.retrieval.retrieve.RetrievalMode;
import dev.ragtune.retrieval.retrieve.RetrievedChunk;

/**
 * Benchmark of the retrieval core (plain classes, as the command line uses it), run by hand, never asserted:
 * <ol>
 * <li>ingestion: chunk + detect language + embed (all-MiniLM-L6-v2, ORT CPU) + index, chunks/s;</li>
 * <li>retrieval latency p50/p99 (hybrid, bm25, vector; topK 10) at 10k and 100k chunks. Those indexes reuse the
 * embeddings of the ingestion step ({@code ragtune.bench.chunks}, default 1000) with small Gaussian noise (σ = 0.02,
 * renormalised) and reshuffled texts, because embedding 100k chunks on 2 shared cores would take hours;</li>
 * <li>the seed corpus ({@code ragtune.bench.seeds}, a folder of seed documents; skipped when not given) with hand-written
 * questions, rank of the expected document per mode.</li>
 * </ol>
 * <pre>./mvnw -B -ntp -pl rag-service -am verify -Dtest=RetrievalBenchmark -Dragtune.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Results go to {@code rag-service/target/benchmark-retrieval.txt}.
 */
@Tag("core")
@EnabledIfSystemProperty(named = "ragtune.bench", matches = "true")
class RetrievalBenchmark {

    static final String[] WORDS = ("retrieval index query vector token model adapter training record cluster latency memory shard "
            + "replica schema document chunk heading language search ranking fusion score batch embedding tokenizer parser upload "
            + "registry version alias rollout metric evaluation dataset question answer citation source policy budget invoice "
            + "warehouse shipment customer contract supplier harbour mountain river forest library museum station engine sensor")
            .split(" ");

    /** Chunks embedded for real (2 shared cores: a few minutes). */
    static final int INGEST_CHUNKS = Integer.getInteger("ragtune.bench.chunks", 1000);

    static final int[] SIZES = java.util.Arrays.stream(System.getProperty("ragtune.bench.sizes", "10000,100000").split(","))
            .mapToInt(Integer::parseInt).toArray();

    final StringBuilder report = new StringBuilder();

    @Test
    void run() throws Exception {
        Path dir = Files.createTempDirectory("rag-bench-");
        line("machine: %d cores, %s, JDK %s", Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("java.version"));
        try (RetrievalCore core = RetrievalCore.open(RetrievalCore.Settings.defaults(dir.resolve("ingest")))) {
            // ---- ingestion: documents of ~8 paragraphs, chunked at 200 tokens, all embedded by the model
            Random r = new Random(42);
            core.index("warmup", null, Map.of(), document(r, -1));
            long t0 = System.nanoTime();
            int chunks = 0;
            List<IndexedChunk> real = new ArrayList<>();
            int d = 0;
            while (chunks < INGEST_CHUNKS) {
                List<IndexedChunk> prepared = core.prepare("doc-" + d, "Document " + d, Map.of("shard", Integer.toString(d % 10)), document(r, d));
                core.index().replaceDocument("doc-" + d, prepared);
                real.addAll(prepared);
                chunks += prepared.size();
                d++;
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            line("ingestion (chunk + language + embed + index, one commit per document): %d documents, %d chunks in %.1f s = %.1f chunks/s",
                    d, chunks, secs, chunks / secs);
            // where the time goes, on the first 200 chunks' texts
            List<String> texts = real.stream().limit(200).map(IndexedChunk::text).toList();
            long te = System.nanoTime();
            core.embedder().embed(texts);
            double embedSecs = (System.nanoTime() - te) / 1e9;
            long tl = System.nanoTime();
            texts.forEach(core.detector()::detect);
            double langSecs = (System.nanoTime() - tl) / 1e9;
            long tc = System.nanoTime();
            for (int i = 0; i < 30; i++) {
                core.preparer().chunker().chunk(document(new Random(i), i));
            }
            double chunkSecs = (System.nanoTime() - tc) / 1e9;
            line("breakdown: embedding %.1f chunks/s (batch %d), language detection %.0f chunks/s, chunking (token counting) %.0f documents/s",
                    texts.size() / embedSecs, core.settings().batchSize(), texts.size() / langSecs, 30 / chunkSecs);
            for (int size : SIZES) {
                try (RetrievalCore big = RetrievalCore.open(RetrievalCore.Settings.defaults(dir.resolve("index" + size)))) {
                    long t1 = System.nanoTime();
                    Map<String, List<IndexedChunk>> batch = new HashMap<>();
                    int n = 0;
                    for (int copy = 0; n < size; copy++) {
                        for (IndexedChunk c : real) {
                            if (n == size) {
                                break;
                            }
                            String doc = c.documentId() + "-c" + copy;
                            batch.computeIfAbsent(doc, k -> new ArrayList<>()).add(new IndexedChunk(doc, c.title(),
                                    IndexedChunk.chunkId(doc, c.ordinal()), c.ordinal(), copy == 0 ? c.text() : shuffle(c.text(), r),
                                    c.headingPath(), c.start(), c.end(), c.language(), c.metadata(), copy == 0 ? c.vector() : noisy(c.vector(), r)));
                            n++;
                        }
                        big.index().replaceDocuments(batch);
                        batch.clear();
                    }
                    double s2 = (System.nanoTime() - t1) / 1e9;
                    line("index of %d chunks (the %d embedded chunks reused with noise): Lucene indexing alone %.1f s = %.0f chunks/s", n,
                            real.size(), s2, n / s2);
                    latency(big, size / 1000 + "k", r);
                }
            }
        }
        seeds();
        Path out = Path.of("target", "benchmark-retrieval.txt");
        Files.writeString(out, report);
        System.out.println(report);
    }

    private void latency(RetrievalCore core, String label, Random r) {
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < 220; i++) {
            queries.add(WORDS[r.nextInt(WORDS.length)] + " " + WORDS[r.nextInt(WORDS.length)] + " " + WORDS[r.nextInt(WORDS.length)]);
        }
        for (RetrievalMode mode : RetrievalMode.values()) {
            long[] ns = new long[200];
            for (int i = 0; i < 20; i++) {
                core.retriever().retrieve(queries.get(i), 10, Map.of(), mode);
            }
            for (int i = 0; i < 200; i++) {
                long t = System.nanoTime();
                core.retriever().retrieve(queries.get(20 + i), 10, Map.of(), mode);
                ns[i] = System.nanoTime() - t;
            }
            Arrays.sort(ns);
            line("retrieve %s chunks, %-6s topK 10: p50 %.1f ms, p99 %.1f ms (200 queries after 20 warm-up)", label, mode.id(),
                    ns[100] / 1e6, ns[197] / 1e6);
        }
        long[] ns = new long[200];
        for (int i = 0; i < 200; i++) {
            long t = System.nanoTime();
            core.retriever().retrieve(queries.get(20 + i), 10, Map.of("shard", "3"), RetrievalMode.HYBRID);
            ns[i] = System.nanoTime() - t;
        }
        Arrays.sort(ns);
        line("retrieve %s chunks, hybrid with a metadata filter (1/10 of chunks): p50 %.1f ms, p99 %.1f ms", label, ns[100] / 1e6, ns[197] / 1e6);
    }

    private void seeds() throws IOException {
        String given = System.getProperty("ragtune.bench.seeds");
        if (given == null || given.isBlank()) {
            line("seed corpus: not given (-Dragtune.bench.seeds=DIR), skipped");
            return;
        }
        Path seeds = Path.of(given);
        if (!Files.isDirectory(seeds)) {
            line("seed corpus: %s not found, skipped", seeds.toAbsolutePath());
            return;
        }
        Path dir = Files.createTempDirectory("rag-bench-seeds-");
        try (RetrievalCore core = RetrievalCore.open(RetrievalCore.Settings.defaults(dir))) {
            List<Path> files;
            try (Stream<Path> s = Files.list(seeds)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            long t0 = System.nanoTime();
            int chunks = 0;
            for (Path f : files) {
                ParsedDocument p = core.parser().parse(Files.readAllBytes(f), f.getFileName().toString(), null);
                chunks += core.index(f.getFileName().toString().substring(0, 3), p.title(), Map.of(), p.text());
            }
            line("seed corpus: %d files, %d chunks, ingested in %.1f s", files.size(), chunks, (System.nanoTime() - t0) / 1e9);
            String[][] questions = {
                    {"RAGとファインチューニングはどう使い分けますか", "000", "004"},
                    {"LoRAとQLoRAの違いは何ですか", "000", "004"},
                    {"ファインチューニングを提供しているプロバイダーはどこですか", "003"},
                    {"Коли краще використовувати RAG, а коли тонке налаштування?", "001"},
                    {"LoRA 和 QLoRA 有什麼區別？", "002"},
                    {"When should I fine-tune instead of using RAG?", "000", "001", "002", "003", "004"},
            };
            for (String[] q : questions) {
                StringBuilder ranks = new StringBuilder();
                for (RetrievalMode mode : RetrievalMode.values()) {
                    List<String> ids = core.retriever().retrieve(q[0], 10, Map.of(), mode).stream().map(RetrievedChunk::documentId).toList();
                    int rank = -1;
                    for (int i = 0; i < ids.size() && rank < 0; i++) {
                        for (int j = 1; j < q.length; j++) {
                            if (ids.get(i).equals(q[j])) {
                                rank = i + 1;
                            }
                        }
                    }
                    ranks.append(String.format(Locale.ROOT, " %s=%s (top: %s)", mode.id(), rank < 0 ? ">10" : rank, ids.isEmpty() ? "-" : ids.get(0)));
                }
                line("seed question '%s' expects %s:%s", q[0], String.join("/", Arrays.copyOfRange(q, 1, q.length)), ranks);
            }
        }
    }

    private static String document(Random r, int i) {
        StringBuilder sb = new StringBuilder("# Topic " + i + "\n\n");
        for (int p = 0; p < 8; p++) {
            if (p == 4) {
                sb.append("## Part ").append(p).append("\n\n");
            }
            for (int s = 0; s < 6; s++) {
                int len = 8 + r.nextInt(12);
                for (int w = 0; w < len; w++) {
                    String word = WORDS[r.nextInt(WORDS.length)];
                    sb.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word).append(w == len - 1 ? ". " : " ");
                }
            }
            sb.append("\n\n");
        }
        return sb.toString();
    }

    private static String shuffle(String text, Random r) {
        List<String> words = new ArrayList<>(List.of(text.split("\\s+")));
        java.util.Collections.shuffle(words, r);
        return String.join(" ", words);
    }

    private static float[] noisy(float[] v, Random r) {
        float[] out = new float[v.length];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] + r.nextGaussian() * 0.02);
            norm += out[i] * out[i];
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < v.length; i++) {
            out[i] *= inv;
        }
        return out;
    }

    private void line(String fmt, Object... args) {
        String s = String.format(Locale.ROOT, fmt, args);
        report.append(s).append('\n');
        System.out.println(s);
    }
}
