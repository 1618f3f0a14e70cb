package dev.ragtune.cli.records;

import dev.ragtune.cli.client.KafkaAccess;
import dev.ragtune.cli.client.PlatformEndpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ragtune records dlq}: the newest rejected records and why. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Lists the newest records the tuning-worker rejected (topic training-records.dlq), with the reject code and reason.")
public final class RecordsDlqCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "How many of the newest to show (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
        }
        KafkaAccess kafka = endpoints.kafka();
        kafka.requireTopic(KafkaAccess.DLQ);
        List<DlqEntry> entries = kafka.read(KafkaAccess.DLQ, Map.of(), limit).stream().map(DlqEntry::of)
                .sorted((a, b) -> a.timestamp().compareTo(b.timestamp())).toList();
        if (entries.size() > limit) {
            entries = entries.subList(entries.size() - limit, entries.size());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (entries.isEmpty()) {
            out.println(KafkaAccess.DLQ + " is empty: the tuning-worker has rejected nothing");
            return 0;
        }
        out.println(KafkaAccess.DLQ + ": the newest " + entries.size() + " rejected records, oldest first");
        for (DlqEntry e : entries) {
            String from = e.pushSource() != null ? "from " + e.pushSource() : "";
            String source = e.sourcePartition() != null ? "(training-records " + e.sourcePartition() + "/" + e.sourceOffset() + ")" : "";
            out.printf("%s  %s  id=%s  %s %s%n", e.timestamp(), e.code(), e.key() == null ? "-" : e.key(), from, source);
            out.println("    " + e.message());
            out.println("    " + e.excerpt(120));
        }
        out.flush();
        return 0;
    }
}
