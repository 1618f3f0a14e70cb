package dev.ragtune.cli.adapters;

import dev.ragtune.cli.client.CliException;
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

/** {@code ragtune adapters promote NAME VERSION --reason TEXT}. */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = {"Points an alias (default production) at a version. The registry's promotion gate refuses a version",
                "that is worse than production on the same eval set; --force overrides it (recorded in the history)."})
public final class AdaptersPromoteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Parameters(index = "0", paramLabel = "NAME", description = "Adapter name.")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION", description = "Version number (3 or v3).", converter = VersionConverter.class)
    int version;

    @Option(names = "--alias", defaultValue = "production", description = "Alias to move (default ${DEFAULT-VALUE}).")
    String alias;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded in the audit history).")
    String reason;

    @Option(names = "--force", description = "Promote even when the gate finds the version worse than production.")
    boolean force;

    @Override
    public Integer call() {
        AliasChange change;
        try (Registry registry = endpoints.registry("ops")) {
            change = registry.call(r -> r.setAlias(name, alias, version, reason, force));
        } catch (CliException e) {
            if (e.status() == 409 && !force && e.getMessage().contains("refused")) {
                throw new CliException(e.exitCode(), e.status(), e.getMessage()
                        + " (the promotion gate; 'ragtune adapters show " + name + "' compares the versions, --force overrides it)");
            }
            throw e;
        }
        spec.commandLine().getOut().println(AliasMessages.describe(change, "promoted"));
        return 0;
    }
}
