package dev.ragtune.registry.bench;

import static dev.ragtune.registry.Api.as;
import static dev.ragtune.registry.EmbeddedServices.ADMIN;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.registry.Api;
import dev.ragtune.registry.EmbeddedServices;
import dev.ragtune.registry.InjectEmbedded;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * Benchmark, run by hand (never asserted): alias change → event visible to a Kafka consumer, p50/p99 over 200
 * changes; upload and download throughput of a 100 MB file.
 *
 * <pre>./mvnw -B -ntp -pl model-registry -am verify -Dtest=RegistryBenchmark -Dragtune.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Results are printed and written to {@code model-registry/target/benchmark-registry.txt}.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
@EnabledIfSystemProperty(named = "ragtune.bench", matches = "true")
class RegistryBenchmark {

    static final int CHANGES = 200;
    static final int WARMUP = 20;
    static final long FILE_BYTES = 100L * 1024 * 1024;

    @InjectEmbedded
    KafkaBroker kafka;

    @Test
    void run() throws Exception {
        StringBuilder report = new StringBuilder();
        String adapter = "bench-bot";
        Api.baseModel("bench-base");
        Api.adapter(adapter, "bench-base");
        int v1 = Api.version(adapter, "{}");
        int v2 = Api.version(adapter, "{}");

        // ---- alias change -> event visible to a consumer
        Map<String, Long> seen = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        ObjectMapper json = new ObjectMapper();
        Thread consumer = new Thread(() -> {
            Map<String, Object> cfg = Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cfg)) {
                TopicPartition tp = new TopicPartition(EmbeddedServices.TOPIC, 0);
                c.assign(List.of(tp));
                c.seekToEnd(List.of(tp));
                c.position(tp);
                while (!stop.get()) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        try {
                            String id = json.readTree(r.value()).get("eventId").asText();
                            synchronized (seen) {
                                seen.put(id, now);
                                seen.notifyAll();
                            }
                        } catch (Exception ignored) {
                            // not ours
                        }
                    }
                }
            }
        }, "bench-consumer");
        consumer.start();
        Thread.sleep(2_000);
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < WARMUP + CHANGES; i++) {
            long t0 = System.nanoTime();
            String eventId = Api.setAlias(adapter, "bench", Map.of("version", i % 2 == 0 ? v1 : v2, "reason", "bench " + i))
                    .then().statusCode(200).extract().path("eventId");
            long deadline = t0 + Duration.ofSeconds(30).toNanos();
            synchronized (seen) {
                while (!seen.containsKey(eventId) && System.nanoTime() < deadline) {
                    seen.wait(50); // no busy wait: the machine has 2 cores shared with the broker and the service
                }
            }
            Long t1 = seen.get(eventId);
            if (t1 == null) {
                throw new IllegalStateException("event " + eventId + " not seen in 30 s");
            }
            if (i >= WARMUP) {
                latencies.add((t1 - t0) / 1e6);
            }
        }
        stop.set(true);
        consumer.join(5_000);
        Collections.sort(latencies);
        report.append(String.format(Locale.ROOT,
                "alias change -> event visible to a consumer, %d changes (after %d warm-up): p50 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms%n",
                CHANGES, WARMUP, pct(latencies, 50), pct(latencies, 99), latencies.get(latencies.size() - 1),
                latencies.stream().mapToDouble(d -> d).average().orElse(0)));

        String metrics = as(dev.ragtune.registry.EmbeddedServices.METRICS).get("/q/metrics").asString();
        metrics.lines().filter(l -> l.startsWith("ragtune_registry_outbox_lag_seconds{") && l.contains("quantile"))
                .forEach(l -> report.append("  server side, commit -> Kafka ack (Micrometer, all events so far): ").append(l).append('\n'));

        // ---- 100 MB upload and download
        Path file = Files.createTempFile("bench-", ".safetensors");
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        Random random = new Random(7);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = FILE_BYTES; left > 0; left -= buf.length) {
                random.nextBytes(buf);
                out.write(buf);
                md.update(buf);
            }
        }
        String sha = HexFormat.of().formatHex(md.digest());
        String base = RestAssured.baseURI + ":" + RestAssured.port;
        HttpClient http = HttpClient.newHttpClient();
        String boundary = "bench" + System.nanoTime();
        String manifest = "{\"files\": [{\"name\": \"adapter_model.safetensors\", \"sha256\": \"" + sha + "\"}]}";
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\nContent-Type: application/json\r\n\r\n"
                + manifest + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"adapter_model.safetensors\"; filename=\"adapter_model.safetensors\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        double bestUp = 0;
        double bestDown = 0;
        int version = 0;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/adapters/" + adapter + "/versions"))
                    .header("Authorization", "Bearer " + ADMIN)
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.concat(
                            HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
                            HttpRequest.BodyPublishers.ofFile(file),
                            HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            double upS = (System.nanoTime() - t0) / 1e9;
            if (up.statusCode() != 201) {
                throw new IllegalStateException("upload failed: " + up.statusCode() + " " + up.body());
            }
            version = json.readTree(up.body()).get("version").asInt();
            t0 = System.nanoTime();
            HttpResponse<InputStream> down = http.send(HttpRequest.newBuilder(
                            URI.create(base + "/v1/adapters/" + adapter + "/versions/" + version + "/files/adapter_model.safetensors"))
                    .header("Authorization", "Bearer " + ADMIN).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            MessageDigest dm = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (InputStream in = down.body()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    dm.update(buf, 0, n);
                    total += n;
                }
            }
            double downS = (System.nanoTime() - t0) / 1e9;
            if (total != FILE_BYTES || !HexFormat.of().formatHex(dm.digest()).equals(sha)) {
                throw new IllegalStateException("download differs");
            }
            double mb = FILE_BYTES / 1024.0 / 1024.0;
            report.append(String.format(Locale.ROOT, "100 MiB round %d: upload %.2f s (%.0f MiB/s, incl. sha256 verification and blob commit), "
                    + "download %.2f s (%.0f MiB/s, client sha256 included)%n", round + 1, upS, mb / upS, downS, mb / downS));
            bestUp = Math.max(bestUp, mb / upS);
            bestDown = Math.max(bestDown, mb / downS);
        }
        report.append(String.format(Locale.ROOT, "best of 3: upload %.0f MiB/s, download %.0f MiB/s%n", bestUp, bestDown));
        Files.deleteIfExists(file);
        System.out.print(report);
        Files.writeString(Path.of("target", "benchmark-registry.txt"), report.toString());
        as(ADMIN).get("/v1/adapters/" + adapter + "/versions/" + version).then().statusCode(200);
    }

    static double pct(List<Double> sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(idx, sorted.size() - 1)));
    }
}
