package dev.ragtune.cli.adapters;

import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.Registry;
import dev.ragtune.common.registry.AliasChange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ragtune adapters rollback NAME --reason TEXT}. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Moves an alias (default production) back to the version it pointed at before its last change; repeat to go further back.")
public final class AdaptersRollbackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Parameters(index = "0", paramLabel = "NAME", description = "Adapter name.")
    String name;

    @Option(names = "--alias", defaultValue = "production", description = "Alias to roll back (default ${DEFAULT-VALUE}).")
    String alias;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded in the audit history).")
    String reason;

    @Override
    public Integer call() {
        AliasChange change;
        try (Registry registry = endpoints.registry("ops")) {
            change = registry.call(r -> r.rollback(name, alias, reason));
        }
        spec.commandLine().getOut().println(AliasMessages.describe(change, "rolled back"));
        return 0;
    }
}
