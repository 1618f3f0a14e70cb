package dev.ragtune.rag.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import dev.ragtune.rag.adapters.AdapterRef;
import dev.ragtune.rag.adapters.AdapterTable;
import dev.ragtune.rag.openai.OpenAiException;
import dev.ragtune.rag.security.RequiresRole;
import dev.ragtune.rag.security.Role;
import io.quarkus.runtime.StartupEvent;

/**
 * OpenAI-compatible {@code GET /v1/models}: {@code base}, every served adapter (its default alias)
 * and each of its aliases as {@code name:alias}. {@code created} is the service's start for {@code base} and the
 * adapter names, the version's load time for aliases.
 */
@Singleton
@Path("/v1/models")
@RequiresRole(Role.QUERY)
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    @Inject
    Optional<AdapterTable> table;

    private volatile Instant startedAt = Instant.now();

    void onStart(@Observes StartupEvent event) {
        startedAt = Instant.now();
    }

    @GET
    @Operation(summary = "The model ids /v1/chat/completions accepts")
    public Map<String, Object> list() {
        return Map.of("object", "list", "data", models());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One model id")
    public Map<String, Object> get(@PathParam("id") String id) {
        return models().stream().filter(m -> id.equals(m.get("id"))).findFirst()
                .orElseThrow(() -> new OpenAiException(404, "invalid_request_error", "model_not_found", "model",
                        "model '" + id + "' does not exist here; GET /v1/models lists them"));
    }

    private List<Map<String, Object>> models() {
        long started = startedAt.getEpochSecond();
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(model(AdapterRef.BASE_NAME, started));
        if (this.table.isEmpty()) {
            return out;
        }
        AdapterTable table = this.table.get();
        Map<String, Instant> loadedAt = new LinkedHashMap<>();
        table.snapshot().forEach(v -> loadedAt.put(v.adapter() + "@" + v.version(), v.loadedAt()));
        for (String adapter : table.adapters().stream().sorted().toList()) {
            out.add(model(adapter, started));
            table.aliasVersions(adapter).forEach((alias, version) -> {
                Instant at = loadedAt.get(adapter + "@" + version);
                out.add(model(adapter + ":" + alias, at == null ? started : at.getEpochSecond()));
            });
        }
        return out;
    }

    private static Map<String, Object> model(String id, long created) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "ragtune");
        return m;
    }
}
