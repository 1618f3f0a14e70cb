package dev.ragtune.cli.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtune.cli.client.CliException;
import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.Registry;
import dev.ragtune.cli.console.Table;
import dev.ragtune.common.manifest.VersionManifest;
import dev.ragtune.common.registry.AdapterInfo;
import dev.ragtune.common.registry.VersionInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ragtune adapters show NAME}: the adapter, its aliases and every version with its metrics. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Shows an adapter: aliases and every version with its metrics and lineage.")
public final class AdaptersShowCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Parameters(index = "0", paramLabel = "NAME", description = "Adapter name.")
    String name;

    @Override
    public Integer call() {
        AdapterInfo adapter;
        List<VersionInfo> versions;
        try (Registry registry = endpoints.registry("reader")) {
            adapter = registry.call(r -> r.adapter(name)).orElseThrow(() -> CliException.failed(
                    "adapter '" + name + "' does not exist in the model-registry ('ragtune adapters list' shows those that do)"));
            versions = registry.call(r -> r.versions(name));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("adapter " + adapter.name() + " (base model " + adapter.baseModel() + ")");
        if (adapter.description() != null && !adapter.description().isBlank()) {
            out.println("  " + adapter.description());
        }
        out.println("aliases: " + Aliases.format(adapter.aliases()));
        if (versions.isEmpty()) {
            out.println("no versions yet");
            return 0;
        }
        Table t = new Table("VERSION", "STATUS", "ALIASES", "PARENT", "RECORDS", "METRICS", "JOB");
        for (VersionInfo v : versions) {
            JsonNode m = v.manifest() == null ? null : v.manifest();
            t.row("v" + v.version(), v.status(), v.aliases().isEmpty() ? "-" : String.join(",", v.aliases()),
                    v.parentVersion() == null ? "-" : "v" + v.parentVersion(),
                    m == null || !m.path(VersionManifest.TRAINING).has("records") ? "-"
                            : m.path(VersionManifest.TRAINING).path("records").asText(),
                    Metrics.compact(m == null ? null : m.get(VersionManifest.METRICS)),
                    m == null || !m.path("job").has("id") ? "-" : m.path("job").path("id").asText());
        }
        t.print(out);
        VersionInfo latest = versions.stream().max((a, b) -> Integer.compare(a.version(), b.version())).orElseThrow();
        out.println("v" + latest.version() + ": "
                + Metrics.summary(latest.manifest() == null ? null : latest.manifest().get(VersionManifest.METRICS)));
        return 0;
    }
}
