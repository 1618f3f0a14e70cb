package dev.ragtune.cli.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtune.cli.client.PlatformEndpoints;
import dev.ragtune.cli.client.Registry;
import dev.ragtune.cli.console.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ragtune adapters history NAME}: the audit trail, oldest first. */
@Command(name = "history", mixinStandardHelpOptions = true, description = "The adapter's audit trail, oldest first: who registered, promoted, rolled back what, and why.")
public final class AdaptersHistoryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlatformEndpoints endpoints;

    @Parameters(index = "0", paramLabel = "NAME", description = "Adapter name.")
    String name;

    @Override
    public Integer call() {
        List<JsonNode> history;
        try (Registry registry = endpoints.registry("reader")) {
            history = registry.call(r -> r.history(name));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (history.isEmpty()) {
            out.println("no history for " + name);
            return 0;
        }
        Table t = new Table("TIME", "EVENT", "VERSION", "ALIAS", "CHANGE", "ACTOR", "REASON");
        for (JsonNode h : history) {
            String type = h.path("type").asText();
            if (h.path("rollback").asBoolean(false)) {
                type += " (rollback)";
            }
            if (h.path("forced").asBoolean(false)) {
                type += " (forced)";
            }
            String change = h.hasNonNull("alias") && (h.hasNonNull("toVersion") || h.hasNonNull("fromVersion"))
                    ? version(h.get("fromVersion")) + " -> " + version(h.get("toVersion")) : "-";
            t.row(h.path("occurredAt").asText("-"), type, version(h.get("version")), text(h.get("alias")), change,
                    text(h.get("actor")), text(h.get("reason")));
        }
        t.print(out);
        return 0;
    }

    private static String version(JsonNode v) {
        return v == null || v.isNull() ? "-" : "v" + v.asText();
    }

    private static String text(JsonNode v) {
        return v == null || v.isNull() || v.asText().isBlank() ? "-" : v.asText();
    }
}
