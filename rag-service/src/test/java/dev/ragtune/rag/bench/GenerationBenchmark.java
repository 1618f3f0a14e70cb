package dev.ragtune.rag.bench;

import static dev.ragtune.rag.answer.GenerationServices.ADAPTER;
import static dev.ragtune.rag.answer.GenerationServices.INGEST;
import static dev.ragtune.rag.answer.GenerationServices.QUERY;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.rag.adapters.AdapterResolver;
import dev.ragtune.rag.adapters.AdapterTable;
import dev.ragtune.rag.answer.GenerationFixture;
import dev.ragtune.rag.answer.GenerationServices;
import dev.ragtune.rag.answer.InjectGeneration;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Benchmark of the answer path, run by hand, never asserted, against the same real stack as the tests (demo tiny
 * model through ONNX Runtime, PostgreSQL, Kafka, the registry child JVM):
 * <ol>
 * <li>{@code POST /v1/query} latency p50/p99 with 32 generated tokens over 40 ingested documents: one client with topK 1
 * and topK 5 (the demo tokenizer is byte-level, so five chunks nearly fill the 2048-token window), and 4 concurrent
 * clients with topK 5;</li>
 * <li>alias change → new version serving: from the registry's {@code PUT …/aliases/production} returning to the moment
 * this replica's table points at the new version (registry outbox → Kafka → download + sha256 → ORT load → switch),
 * p50/p99 over 30 switches;</li>
 * <li>({@link #timeToFirstToken()}) time to first token of a streamed chat completion naming an adapter this replica has
 * not loaded (never seen: registry resolution, download + sha256, ONNX Runtime load, then prefill) vs the same request
 * once it is loaded, over 10 adapters registered while the service runs; with the loader's own load time.</li>
 * </ol>
 * <pre>./mvnw -B -ntp -pl rag-service -am verify -Dtest=GenerationBenchmark -Dragtune.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Results go to {@code rag-service/target/benchmark-generation.txt} and {@code target/benchmark-on-demand.txt}.
 */
@QuarkusTest
@WithTestResource(value = GenerationServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
@EnabledIfSystemProperty(named = "ragtune.bench", matches = "true")
class GenerationBenchmark {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] WORDS = ("river valley lake festival tea harbour mountain forest library museum station engine sensor "
            + "invoice warehouse shipment customer contract supplier policy budget ranking citation source").split(" ");

    @InjectGeneration
    GenerationFixture fixture;

    @Inject
    Optional<AdapterTable> table;

    @TestHTTPResource("/v1/query")
    URL queryUrl;

    @TestHTTPResource("/v1/documents")
    URL documentsUrl;

    final StringBuilder report = new StringBuilder();
    final HttpClient http = HttpClient.newHttpClient();

    void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println(s);
        report.append(s).append('\n');
    }

    HttpResponse<String> post(URL url, String key, Object body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url.toString())).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static double pct(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    record Sample(double ms, int tokens, int promptTokens, double retrievalMs, double generationMs) {
    }

    int topK = 5;

    Sample query(Random r) throws Exception {
        String q = "What about the " + WORDS[r.nextInt(WORDS.length)] + " and the " + WORDS[r.nextInt(WORDS.length)] + "?";
        long t0 = System.nanoTime();
        HttpResponse<String> res = post(queryUrl, QUERY, Map.of("question", q, "topK", topK, "maxTokens", 32, "adapter", ADAPTER));
        double ms = (System.nanoTime() - t0) / 1e6;
        if (res.statusCode() != 200) {
            throw new IllegalStateException(res.statusCode() + " " + res.body());
        }
        JsonNode j = JSON.readTree(res.body());
        return new Sample(ms, j.at("/usage/completionTokens").asInt(), j.at("/usage/promptTokens").asInt(), j.at("/timings/retrievalMs").asDouble(),
                j.at("/timings/generationMs").asDouble());
    }

    void summarise(String what, List<Sample> samples, double wallSeconds) {
        List<Double> ms = new ArrayList<>(samples.stream().map(Sample::ms).toList());
        Collections.sort(ms);
        double tokens = samples.stream().mapToInt(Sample::tokens).average().orElse(0);
        double prompt = samples.stream().mapToInt(Sample::promptTokens).average().orElse(0);
        double retrieval = samples.stream().mapToDouble(Sample::retrievalMs).average().orElse(0);
        double generation = samples.stream().mapToDouble(Sample::generationMs).average().orElse(0);
        line("%s: n=%d  p50 %.1f ms  p99 %.1f ms  prompt %.0f tokens  generated %.1f tokens  retrieval %.1f ms  generation %.1f ms (means)"
                + "  throughput %.2f req/s  load average %s", what, samples.size(), pct(ms, 0.5), pct(ms, 0.99), prompt, tokens, retrieval,
                generation, samples.size() / wallSeconds, loadAverage());
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    @Inject
    Optional<AdapterResolver> resolver;

    @TestHTTPResource("/v1/chat/completions")
    URL chatUrl;

    /**
     * Milliseconds from sending a streamed chat completion to its first token (the first non-empty content delta, or
     * the final chunk if the first token ended the turn).
     */
    double firstTokenMs(String model) throws Exception {
        String body = JSON.writeValueAsString(Map.of("model", model, "retrieval", false, "max_tokens", 16, "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "What about the river and the lake?"))));
        long t0 = System.nanoTime();
        HttpResponse<java.util.stream.Stream<String>> res = http.send(HttpRequest.newBuilder(URI.create(chatUrl.toString()))
                .header("Authorization", "Bearer " + QUERY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
        if (res.statusCode() != 200) {
            throw new IllegalStateException(model + ": " + res.statusCode());
        }
        Double first = null;
        try (java.util.stream.Stream<String> lines = res.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (first == null && line.startsWith("data: {")) {
                    JsonNode chunk = JSON.readTree(line.substring(6));
                    if (chunk.has("error")) {
                        throw new IllegalStateException(model + ": " + line);
                    }
                    // the first token: a content delta, or the final chunk when the first token was the end of the turn
                    if (!chunk.at("/choices/0/delta/content").asText("").isEmpty()
                            || !chunk.at("/choices/0/finish_reason").isMissingNode() && !chunk.at("/choices/0/finish_reason").isNull()) {
                        first = (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
        }
        if (first == null) {
            throw new IllegalStateException(model + ": no token");
        }
        return first;
    }

    @Test
    void timeToFirstToken() throws Exception {
        StringBuilder out = new StringBuilder();
        java.util.function.Consumer<String> say = l -> {
            System.out.println(l);
            out.append(l).append('\n');
        };
        say.accept(String.format(Locale.ROOT, "machine: %d cores, %s, JDK %s, load average %s; demo tiny model, fp32, ORT threads 1; "
                        + "adapters rank 8 on q/v/o/down (%d bytes each)", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("java.version"), loadAverage(),
                dev.ragtune.rag.adapters.AdapterLoader.bytes(fixture.adapterDirs().get(1))));
        for (int i = 0; i < 5; i++) {
            firstTokenMs(ADAPTER); // warm-up on the configured adapter
        }
        List<Double> cold = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        List<Double> loads = new ArrayList<>();
        try (RegistryClient admin = new RegistryClient(fixture.registry().baseUrl(), fixture.registry().key("admin"))) {
            for (int i = 0; i < 10; i++) {
                String name = "bench-cold-" + i;
                Path dir = dev.ragtune.rag.answer.TestAdapters.writeRandom(fixture.checkpoint(), fixture.dir().resolve("bench").resolve(name), 9000 + i);
                admin.ensureAdapter(name, GenerationServices.BASE_MODEL, "benchmark");
                int v = admin.registerVersion(name, JSON.createObjectNode(), dev.ragtune.rag.answer.TestAdapters.files(dir)).version();
                admin.setAlias(name, "production", v, "benchmark", false);
                int before = resolver.orElseThrow().recentLoads().size();
                cold.add(firstTokenMs(name));
                var recent = resolver.orElseThrow().recentLoads();
                recent.subList(before, recent.size()).stream().filter(l -> l.adapter().equals(name))
                        .forEach(l -> loads.add(l.millis()));
                for (int k = 0; k < 3; k++) {
                    warm.add(firstTokenMs(name));
                }
                Thread.sleep(200);
            }
        }
        Collections.sort(cold);
        Collections.sort(warm);
        Collections.sort(loads);
        say.accept(String.format(Locale.ROOT, "TTFT, adapter not loaded yet (first request): n=%d  p50 %.1f ms  p99 %.1f ms  min %.1f ms",
                cold.size(), pct(cold, 0.5), pct(cold, 0.99), cold.get(0)));
        say.accept(String.format(Locale.ROOT, "TTFT, adapter loaded:                       n=%d  p50 %.1f ms  p99 %.1f ms  min %.1f ms",
                warm.size(), pct(warm, 0.5), pct(warm, 0.99), warm.get(0)));
        say.accept(String.format(Locale.ROOT, "  of which the load (download + sha256 + ORT), as the loader measured it: n=%d  p50 %.1f ms  p99 %.1f ms;"
                + " load average after: %s", loads.size(), pct(loads, 0.5), pct(loads, 0.99), loadAverage()));
        Files.writeString(Path.of("target/benchmark-on-demand.txt"), out.toString());
    }

    @Test
    void run() throws Exception {
        line("machine: %d cores, %s, JDK %s; model: demo tiny (4 layers, hidden 256), fp32, ORT threads 1, max-concurrent 4",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("java.version"));
        Random r = new Random(42);
        for (int d = 0; d < 40; d++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 120; w++) {
                text.append(WORDS[r.nextInt(WORDS.length)]).append(w % 12 == 11 ? ". " : " ");
            }
            HttpResponse<String> res = post(documentsUrl, INGEST, Map.of("id", "bench-" + d, "title", "Doc " + d, "text", text.toString()));
            if (res.statusCode() >= 300) {
                throw new IllegalStateException(res.body());
            }
        }
        for (int i = 0; i < 20; i++) {
            query(r); // warm-up
        }
        long t0;
        for (int k : new int[] {1, 5}) {
            topK = k;
            List<Sample> single = new ArrayList<>();
            t0 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                single.add(query(r));
            }
            summarise("/v1/query, 1 client, topK " + k + ", 32 tokens", single, (System.nanoTime() - t0) / 1e9);
        }
        topK = 5;

        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<Sample>>> futures = new ArrayList<>();
        t0 = System.nanoTime();
        for (int c = 0; c < 4; c++) {
            int seed = c;
            futures.add(pool.submit(() -> {
                Random cr = new Random(seed);
                List<Sample> out = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    out.add(query(cr));
                }
                return out;
            }));
        }
        List<Sample> concurrent = new ArrayList<>();
        for (Future<List<Sample>> f : futures) {
            concurrent.addAll(f.get());
        }
        summarise("/v1/query, 4 clients, topK 5, 32 tokens", concurrent, (System.nanoTime() - t0) / 1e9);
        pool.shutdown();

        List<Double> lag = new ArrayList<>();
        try (RegistryClient ops = new RegistryClient(fixture.registry().baseUrl(), fixture.registry().key("ops"))) {
            for (int s = 0; s < 30; s++) {
                int current = table.orElseThrow().aliasVersions(ADAPTER).get("production");
                int target = current % GenerationServices.VERSIONS + 1;
                long s0 = System.nanoTime();
                ops.setAlias(ADAPTER, "production", target, "benchmark", false);
                while (table.orElseThrow().aliasVersions(ADAPTER).get("production") != target) {
                    Thread.onSpinWait();
                }
                lag.add((System.nanoTime() - s0) / 1e6);
                Thread.sleep(200);
            }
        }
        Collections.sort(lag);
        line("alias PUT → new version serving: n=%d  p50 %.1f ms  p99 %.1f ms  min %.1f ms", lag.size(), pct(lag, 0.5), pct(lag, 0.99),
                lag.get(0));
        Path out = Path.of("target/benchmark-generation.txt");
        Files.writeString(out, report.toString());
    }
}
