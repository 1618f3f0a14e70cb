package dev.ragtune.rag.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

import dev.ragtune.common.registry.AdapterInfo;
import dev.ragtune.rag.adapters.AdapterDefaults;
import dev.ragtune.rag.adapters.AdapterResolver;

import dev.ragtune.rag.adapters.AdapterRef;
import dev.ragtune.rag.adapters.AdapterTable;
import dev.ragtune.rag.openai.OpenAiException;
import dev.ragtune.rag.security.RequiresRole;
import dev.ragtune.rag.security.Role;
import io.quarkus.runtime.StartupEvent;

/**
 * OpenAI-compatible {@code GET /v1/models}: {@code base}, every adapter the registry has (its default alias) and each
 * of its aliases as {@code name:alias}, plus versions loaded here by number ({@code name@N}); each marked
 * {@code loaded} when its version is resident in this replica, with the {@code version} it means now. {@code created}
 * is the version's load time when loaded, else the service's start. When the registry cannot be reached only the
 * adapters followed here are listed.
 */
@Singleton
@Path("/v1/models")
@RequiresRole(Role.QUERY)
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    private static final Logger LOG = Logger.getLogger(ModelsResource.class);

    @Inject
    Optional<AdapterTable> table;

    @Inject
    Optional<AdapterResolver> resolver;

    @Inject
    AdapterDefaults defaults;

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
        out.add(model(AdapterRef.BASE_NAME, started, true, null));
        if (this.table.isEmpty()) {
            return out;
        }
        AdapterTable table = this.table.get();
        Map<String, Instant> loadedAt = new LinkedHashMap<>();
        table.snapshot().forEach(v -> loadedAt.put(v.adapter() + "@" + v.version(), v.loadedAt()));
        // what the registry has; what this replica follows when the registry cannot be reached
        Map<String, Map<String, Integer>> adapters = new TreeMap<>();
        List<AdapterInfo> listed = List.of();
        if (resolver.isPresent() && resolver.get().loader() != null) {
            try {
                listed = resolver.get().loader().source().list();
            } catch (RuntimeException e) {
                LOG.warnf("GET /v1/models lists only the adapters followed here: %s", e.getMessage());
            }
        }
        listed.forEach(a -> adapters.put(a.name(), new TreeMap<>(a.aliases())));
        for (String a : table.adapters()) {
            adapters.putIfAbsent(a, table.aliasVersions(a));
        }
        Set<String> listedVersions = new java.util.HashSet<>();
        adapters.forEach((adapter, aliases) -> {
            Integer dflt = aliases.get(defaults.defaultAlias());
            Instant at = dflt == null ? null : loadedAt.get(adapter + "@" + dflt);
            out.add(model(adapter, at == null ? started : at.getEpochSecond(), at != null, dflt));
            aliases.forEach((alias, version) -> {
                Instant t = loadedAt.get(adapter + "@" + version);
                out.add(model(adapter + ":" + alias, t == null ? started : t.getEpochSecond(), t != null, version));
                listedVersions.add(adapter + "@" + version);
            });
        });
        // versions loaded here by number (name@N) that no alias points at
        loadedAt.forEach((key, t) -> {
            if (!listedVersions.contains(key)) {
                out.add(model(key, t.getEpochSecond(), true, Integer.parseInt(key.substring(key.indexOf('@') + 1))));
            }
        });
        return out;
    }

    /** An OpenAI model object plus {@code loaded} (resident in this replica) and the {@code version} it means now. */
    private static Map<String, Object> model(String id, long created, boolean loaded, Integer version) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "ragtune");
        m.put("loaded", loaded);
        if (version != null) {
            m.put("version", version);
        }
        return m;
    }
}
