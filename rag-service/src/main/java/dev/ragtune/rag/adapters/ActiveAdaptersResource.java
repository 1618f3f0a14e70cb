package dev.ragtune.rag.adapters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import dev.ragtune.rag.security.RequiresRole;
import dev.ragtune.rag.security.Role;

/** {@code GET /v1/adapters/active}: what this replica serves now. */
@Path("/v1/adapters/active")
@RequiresRole(Role.QUERY)
@Produces(MediaType.APPLICATION_JSON)
public class ActiveAdaptersResource {

    @Inject
    Optional<AdapterTable> table;

    @Inject
    Optional<AdapterHotLoader> hotLoader;

    @Inject
    AdapterDefaults defaults;

    public record Active(String defaultModel, boolean resolved, List<Served> adapters, List<AdapterTable.VersionState> versions,
                         List<AliasSwitch> recentSwitches) {
    }

    public record Served(String name, Map<String, Integer> aliases) {
    }

    @GET
    @Operation(summary = "Loaded adapter versions, their aliases, load times and requests in flight per version")
    public Active active() {
        String dflt = defaults.defaultRef().toString();
        if (table.isEmpty()) {
            return new Active(dflt, false, List.of(), List.of(), List.of());
        }
        AdapterTable t = table.get();
        List<Served> served = new ArrayList<>();
        for (String a : t.adapters().stream().sorted().toList()) {
            served.add(new Served(a, new LinkedHashMap<>(t.aliasVersions(a))));
        }
        List<AliasSwitch> timeline = t.timeline();
        List<AliasSwitch> recent = timeline.subList(Math.max(0, timeline.size() - 50), timeline.size());
        boolean resolved = hotLoader.map(AdapterHotLoader::resolved).orElse(true);
        return new Active(dflt, resolved, served, t.snapshot(), recent);
    }
}
