package dev.ragtune.cli.records;

import picocli.CommandLine.Command;

/** {@code ragtune records}: training records for the data teams. */
@Command(name = "records", mixinStandardHelpOptions = true,
        description = "Training records: push a JSONL file to Kafka, see what the worker rejected.",
        subcommands = {RecordsPushCommand.class, RecordsDlqCommand.class})
public final class RecordsCommand {
}
