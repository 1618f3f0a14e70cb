package dev.ragtune.tuning.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.ragtune.common.records.ValidationResult;
import dev.ragtune.embedded.KafkaBroker;
import dev.ragtune.embedded.PostgresServer;
import dev.ragtune.tuning.Db;
import dev.ragtune.tuning.EmbeddedServices;
import dev.ragtune.tuning.InjectEmbedded;
import dev.ragtune.tuning.Kafka;
import dev.ragtune.tuning.TestRecords;
import dev.ragtune.tuning.records.RecordConsumerLoop;
import dev.ragtune.tuning.records.RecordsPipeline;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Benchmark, run by hand (never asserted): training records validated (JSON, rules, chat template + tokenizer of the
 * demo checkpoint) and stored per second, by the production consumer loop (one consumer thread, batches of 1,000,
 * one transaction each, offsets committed after each) reading a 4-partition topic that was filled beforehand.
 *
 * <pre>./mvnw -B -ntp -pl tuning-worker -am verify -Dtest=RecordsBenchmark -Dragtune.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Results are printed and written to {@code tuning-worker/target/benchmark-records.txt}.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
@EnabledIfSystemProperty(named = "ragtune.bench", matches = "true")
class RecordsBenchmark {

    static final int RECORDS = Integer.getInteger("ragtune.bench.records", 50_000);

    @Inject
    RecordsPipeline pipeline;

    @InjectEmbedded
    KafkaBroker kafka;

    @InjectEmbedded
    PostgresServer postgres;

    @Test
    void run() throws Exception {
        StringBuilder report = new StringBuilder();
        List<Kafka.Message> messages = new ArrayList<>(RECORDS);
        long bytes = 0;
        for (int i = 0; i < RECORDS; i++) {
            Kafka.Message m = TestRecords.message("bench-" + i, "bench-bot", i);
            messages.add(m);
            bytes += m.value().length;
        }
        line(report, "records: %d, mean value %d bytes (system + user + assistant turns, metadata)", RECORDS, bytes / RECORDS);

        // validation alone, one thread (warm-up first)
        for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime();
            int valid = 0;
            int n = round == 0 ? Math.min(10_000, RECORDS) : RECORDS;
            for (int i = 0; i < n; i++) {
                Kafka.Message m = messages.get(i);
                valid += pipeline.validator().validate(m.key(), m.value()) instanceof ValidationResult.Valid ? 1 : 0;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (round == 1) {
                line(report, "validation only (one thread, tokenizer included): %,.0f records/s (%d valid in %.2f s)", n / s, valid, s);
            }
        }

        String topic = "bench-records";
        Kafka.createTopic(kafka, topic, 4);
        long p0 = System.nanoTime();
        Kafka.send(kafka.bootstrapServers(), topic, messages);
        line(report, "produced in %.2f s (not part of the figure)", (System.nanoTime() - p0) / 1e9);

        Properties props = pipeline.consumerProperties("bench-group");
        long t0 = System.nanoTime();
        RecordConsumerLoop loop = pipeline.newLoop(props, topic, RecordConsumerLoop.SYNC);
        Thread t = new Thread(loop, "bench-records-consumer");
        t.start();
        Kafka.awaitAllCommitted(kafka.bootstrapServers(), "bench-group", topic, Duration.ofMinutes(10));
        double s = (System.nanoTime() - t0) / 1e9;
        loop.stop(Duration.ofSeconds(30));
        long stored = Db.count(postgres, "select count(*) from training_records where source_topic = ?", topic);
        line(report, "end to end (consumer start → every offset committed): %,d stored in %.2f s = %,.0f records/s (%d batches)",
                stored, s, stored / s, loop.batchesHandled());
        if (stored != RECORDS) {
            line(report, "WARNING: stored %d of %d", stored, RECORDS);
        }
        line(report, "machine: %d CPUs available to the JVM, %s %s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        Files.writeString(Path.of("target", "benchmark-records.txt"), report.toString(), StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder report, String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println("[bench] " + s);
        report.append(s).append('\n');
    }
}
