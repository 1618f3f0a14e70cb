package dev.ragtune.rag.adapters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import dev.ragtune.rag.generate.ModelRuntime;
import dev.ragtune.rag.security.RequiresRole;
import dev.ragtune.rag.security.Role;

/** {@code GET /v1/adapters/active}: what this replica serves now. */
@Path("/v1/adapters/active")
@RequiresRole(Role.QUERY)
@Produces(MediaType.APPLICATION_JSON)
public class ActiveAdaptersResource {

    @Inject
    ModelRuntime runtime;

    public record Active(String defaultModel, boolean resolved, List<Served> adapters, List<AdapterTable.VersionState> versions,
                         List<AliasChange> recentSwitches) {
    }

    public record Served(String name, Map<String, Integer> aliases) {
    }

    @GET
    @Operation(summary = "Loaded adapter versions, their aliases, load times and requests in flight per version")
    public Active active() {
        AdapterTable table = runtime.table();
        String dflt = runtime.defaultRef() == null ? AdapterRef.BASE_NAME : runtime.defaultRef().toString();
        if (table == null) {
            return new Active(dflt, false, List.of(), List.of(), List.of());
        }
        List<Served> served = new ArrayList<>();
        for (String a : table.adapters().stream().sorted().toList()) {
            served.add(new Served(a, new LinkedHashMap<>(table.aliasVersions(a))));
        }
        List<AliasChange> timeline = table.timeline();
        List<AliasChange> recent = timeline.subList(Math.max(0, timeline.size() - 50), timeline.size());
        boolean resolved = runtime.hotLoader() == null || runtime.hotLoader().resolved();
        return new Active(dflt, resolved, served, table.snapshot(), recent);
    }
}
