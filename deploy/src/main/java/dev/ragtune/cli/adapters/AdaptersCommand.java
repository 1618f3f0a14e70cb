package dev.ragtune.cli.adapters;

import picocli.CommandLine.Command;

/** {@code ragtune adapters}: the model-registry for ops. */
@Command(name = "adapters", mixinStandardHelpOptions = true,
        description = "Adapters in the model-registry: versions, metrics, aliases; promote, roll back, audit history.",
        subcommands = {AdaptersListCommand.class, AdaptersShowCommand.class, AdaptersPromoteCommand.class,
                AdaptersRollbackCommand.class, AdaptersHistoryCommand.class})
public final class AdaptersCommand {
}
