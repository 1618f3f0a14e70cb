package dev.ragtune.cli.jobs;

import picocli.CommandLine.Command;

/** {@code ragtune jobs}: the tuning-worker's training jobs. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Training jobs of the tuning-worker: list, start one by hand, watch one to its end.",
        subcommands = {JobsListCommand.class, JobsWatchCommand.class, JobsStartCommand.class})
public final class JobsCommand {
}
