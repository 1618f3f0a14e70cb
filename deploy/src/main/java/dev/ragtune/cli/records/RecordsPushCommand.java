package dev.ragtune.cli.records;

import dev.ragtune.cli.client.CliException;
import dev.ragtune.cli.client.KafkaAccess;
import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.WorkerClient;
import dev.ragtune.cli.platform.PlatformSettings;
import dev.ragtune.common.records.AdapterNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code ragtune records push FILE.jsonl}: each line to topic training-records, then the worker's verdict read back. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Produces each line of a JSONL file to Kafka topic training-records (one record per line, the format",
                "of docs/tuning-worker.md), then reads back from the tuning-worker how many it accepted and which it",
                "rejected, and why. Lines without \"id\" get <file name>-<line number>; lines without \"adapter\" get --adapter.",
                "Exit code 1 when a record was rejected or the worker did not process them in time."})
public final class RecordsPushCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "One JSON record per line.")
    Path file;

    @Option(names = "--adapter", paramLabel = "NAME", defaultValue = PlatformSettings.DEFAULT_ADAPTER,
            description = "Adapter of the lines that name none (default ${DEFAULT-VALUE}).")
    String adapter;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long to wait for the worker's verdict (default ${DEFAULT-VALUE}; 0: send only).")
    int waitSeconds;

    @Override
    public Integer call() {
        if (!AdapterNames.isValid(adapter)) {
            throw new ParameterException(spec.commandLine(), "--adapter '" + adapter + "' is invalid: " + AdapterNames.RULE);
        }
        if (waitSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--wait must be 0 or more, got " + waitSeconds);
        }
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), "no such file: " + file);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.badInput("cannot read " + file + " as UTF-8 text: " + e.getMessage());
        }
        String name = file.getFileName().toString();
        List<PreparedRecord> records = RecordLines.prepare(lines, name, adapter);
        PrintWriter out = spec.commandLine().getOut();
        try (WorkerClient worker = endpoints.worker("reader")) {
            return push(out, endpoints.kafka(), worker, records, name, Duration.ofSeconds(waitSeconds));
        }
    }

    /** Pushes and prints the report; 0 when every record was accepted. Shared with the demo. */
    public static int push(PrintWriter out, KafkaAccess kafka, WorkerClient worker, List<PreparedRecord> records, String name,
                           Duration wait) {
        TreeMap<String, Integer> perAdapter = new TreeMap<>();
        records.forEach(r -> perAdapter.merge(r.adapter() == null ? "(none)" : r.adapter(), 1, Integer::sum));
        out.println("pushing " + records.size() + " records from " + name + " to " + KafkaAccess.TRAINING_RECORDS + " at "
                + kafka.bootstrap() + " (adapter: " + perAdapter + ")");
        out.flush();
        PushReport report = new RecordPusher(kafka, worker, out).push(records, name, wait);
        if (wait.isZero()) {
            out.println("sent " + report.sent() + " records (push " + report.pushId() + "); not waiting for the worker");
            return 0;
        }
        out.printf("accepted %d of %d: %d stored as new revisions, %d unchanged; rejected %d%n", report.accepted(), report.sent(),
                report.stored(), report.unchanged(), report.rejected().size());
        for (PushReport.Rejection r : report.rejected()) {
            out.printf("  line %d%s: %s: %s%n", r.line(), r.entry().key() == null ? "" : " (id " + r.entry().key() + ")",
                    r.entry().code(), r.entry().message());
        }
        if (!report.rejected().isEmpty()) {
            out.println("rejected records are on " + KafkaAccess.DLQ + " ('ragtune records dlq' lists them); fix and push them again");
        }
        out.flush();
        if (!report.processed()) {
            throw CliException.failed("the tuning-worker at " + worker.url() + " processed " + report.processedCount() + " of "
                    + report.sent() + " records within " + wait.toSeconds() + " s; the rest are safe in Kafka and will be "
                    + "processed when it catches up ('ragtune status' shows its health)");
        }
        return report.rejected().isEmpty() ? 0 : 1;
    }
}
