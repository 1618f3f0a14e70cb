package dev.ragtune.cli.adapters;

import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.Registry;
import dev.ragtune.cli.console.Table;
import dev.ragtune.common.registry.AdapterInfo;
import dev.ragtune.common.registry.RegistryClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ragtune adapters list}. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the adapters: base model, latest version, aliases.")
public final class AdaptersListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Override
    public Integer call() {
        List<AdapterInfo> adapters;
        try (Registry registry = endpoints.registry("reader")) {
            adapters = registry.call(RegistryClient::adapters);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (adapters.isEmpty()) {
            out.println("no adapters yet: a training job registers one ('ragtune jobs start NAME' after 'ragtune records push')");
            return 0;
        }
        Table t = new Table("NAME", "BASE MODEL", "LATEST", "ALIASES", "DESCRIPTION");
        for (AdapterInfo a : adapters) {
            t.row(a.name(), a.baseModel(), a.latestVersion() > 0 ? "v" + a.latestVersion() : "-", Aliases.format(a.aliases()),
                    a.description() == null || a.description().isBlank() ? "-" : a.description());
        }
        t.print(out);
        return 0;
    }
}
