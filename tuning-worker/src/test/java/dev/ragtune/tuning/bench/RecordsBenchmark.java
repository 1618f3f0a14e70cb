package dev.ragtune.tuning.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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

    @Inject
    MeterRegistry meters;

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
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 2; round++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            int valid = 0;
            int n = round == 0 ? Math.min(10_000, RECORDS) : RECORDS;
            for (int i = 0; i < n; i++) {
                Kafka.Message m = messages.get(i);
                valid += pipeline.validator().validate(m.key(), m.value()) instanceof ValidationResult.Valid ? 1 : 0;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double cpuUs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
            if (round == 1) {
                line(report, "validation only (one thread, tokenizer included): %,.0f records/s (%d valid in %.2f s);"
                        + " CPU %.0f us/record = %,.0f records per CPU-second", n / s, valid, s, cpuUs, 1e6 / cpuUs);
            }
        }
        long v0 = System.nanoTime();
        long parallelValid = java.util.stream.IntStream.range(0, RECORDS).parallel()
                .filter(i -> pipeline.validator().validate(messages.get(i).key(), messages.get(i).value()) instanceof ValidationResult.Valid)
                .count();
        double vs = (System.nanoTime() - v0) / 1e9;
        line(report, "validation only (all cores, as the consumer does per batch): %,.0f records/s (%d valid in %.2f s)",
                RECORDS / vs, parallelValid, vs);

        String topic = "bench-records";
        Kafka.createTopic(kafka, topic, 4);
        long p0 = System.nanoTime();
        Kafka.send(kafka.bootstrapServers(), topic, messages);
        line(report, "produced in %.2f s (not part of the figure)", (System.nanoTime() - p0) / 1e9);

        Properties props = pipeline.consumerProperties("bench-group");
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long jvmCpu0 = os.getProcessCpuTime();
        double pgCpu0 = ProcessCpu.seconds(postgres.dataDirectory().toString());
        double kafkaCpu0 = ProcessCpu.seconds(kafka.logDir().toString());
        long t0 = System.nanoTime();
        RecordConsumerLoop loop = pipeline.newLoop(props, topic, RecordConsumerLoop.SYNC);
        Thread t = new Thread(loop, "bench-records-consumer");
        t.start();
        Kafka.awaitAllCommitted(kafka.bootstrapServers(), "bench-group", topic, Duration.ofMinutes(10));
        double s = (System.nanoTime() - t0) / 1e9;
        double jvmCpu = (os.getProcessCpuTime() - jvmCpu0) / 1e9;
        double pgCpu = ProcessCpu.seconds(postgres.dataDirectory().toString()) - pgCpu0;
        double kafkaCpu = ProcessCpu.seconds(kafka.logDir().toString()) - kafkaCpu0;
        loop.stop(Duration.ofSeconds(30));
        long stored = Db.count(postgres, "select count(*) from training_records where source_topic = ?", topic);
        line(report, "end to end (consumer start → every offset committed): %,d stored in %.2f s = %,.0f records/s (%d batches)",
                stored, s, stored / s, loop.batchesHandled());
        double perRecordUs = (jvmCpu + pgCpu + kafkaCpu) * 1e6 / Math.max(1, stored);
        line(report, "  CPU during it: worker JVM %.1f s, PostgreSQL %.1f s, broker %.1f s = %.0f us/record in all"
                        + " → %,.0f records/s is what 2 otherwise idle cores can do", jvmCpu, pgCpu, kafkaCpu, perRecordUs, 2e6 / perRecordUs);
        Timer store = meters.find("ragtune.worker.store.batch").timer();
        if (store != null) {
            line(report, "database transaction per batch (ragtune_worker_store_batch_seconds, all batches of the run): mean %.1f ms, max %.1f ms, %d batches",
                    store.mean(TimeUnit.MILLISECONDS), store.max(TimeUnit.MILLISECONDS), store.count());
        }
        if (stored != RECORDS) {
            line(report, "WARNING: stored %d of %d", stored, RECORDS);
        }
        line(report, "machine: %d CPUs available to the JVM, %s %s, load average %.1f at the end", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), os.getSystemLoadAverage());
        Files.writeString(Path.of("target", "benchmark-records.txt"), report.toString(), StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder report, String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println("[bench] " + s);
        report.append(s).append('\n');
    }
}
