package dev.ragtune.registry.adapters;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.registry.basemodels.BaseModel;
import dev.ragtune.registry.errors.Checks;
import dev.ragtune.registry.security.RequiresRole;
import dev.ragtune.registry.security.Role;
import dev.ragtune.common.errors.ApiException;
import dev.ragtune.service.security.Caller;

@Path("/v1/adapters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "adapters")
public class AdapterResource {

    /** Request body of {@code POST /v1/adapters}; tags is a JSON object of strings. */
    public record CreateAdapter(String name, String baseModel, String description, JsonNode tags) {
    }

    /** An adapter as the API shows it, with the aliases that point at its versions. */
    public record AdapterView(String name, String baseModel, String description, Map<String, String> tags, int latestVersion,
                              Map<String, Integer> aliases, String createdBy, Instant createdAt) {
    }

    @Inject
    EntityManager em;

    @Inject
    AdapterService adapters;

    @Inject
    Caller caller;

    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @RequiresRole(Role.PUBLISHER)
    @Operation(summary = "Create an adapter {name, baseModel, description, tags}")
    public Response create(CreateAdapter req) {
        if (req == null) {
            throw ApiException.badRequest("request body is required: {name, baseModel, description, tags}");
        }
        Checks.adapterName(req.name());
        Checks.text(Checks.required(req.baseModel(), "baseModel"), 128, "baseModel");
        Checks.text(req.description(), Checks.MAX_DESCRIPTION, "description");
        Map<String, String> tags = tags(req.tags());
        if (em.find(BaseModel.class, req.baseModel()) == null) {
            throw ApiException.notFound("base model '" + Checks.abbreviate(req.baseModel()) + "' not found; register it with POST /v1/base-models first");
        }
        if (!em.createQuery("from Adapter where name = :n", Adapter.class).setParameter("n", req.name()).getResultList().isEmpty()) {
            throw ApiException.conflict("adapter '" + req.name() + "' already exists");
        }
        Adapter a = new Adapter();
        a.name = req.name();
        a.baseModelId = req.baseModel();
        a.description = req.description();
        try {
            a.tags = json.writeValueAsString(tags);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        a.createdBy = caller.actor();
        a.createdAt = Instant.now();
        try {
            em.persist(a);
            em.flush();
        } catch (PersistenceException e) {
            if (Checks.isUniqueViolation(e)) {
                throw ApiException.conflict("adapter '" + req.name() + "' already exists"); // created concurrently
            }
            throw e;
        }
        return Response.created(URI.create("/v1/adapters/" + a.name)).entity(view(a)).build();
    }

    @GET
    @RequiresRole(Role.READER)
    @Operation(summary = "List adapters")
    public List<AdapterView> list() {
        return em.createQuery("from Adapter order by name", Adapter.class).getResultList().stream().map(this::view).toList();
    }

    @GET
    @Path("/{name}")
    @RequiresRole(Role.READER)
    @Operation(summary = "One adapter with its aliases")
    public AdapterView get(@PathParam("name") String name) {
        return view(adapters.find(name));
    }

    AdapterView view(Adapter a) {
        Map<String, String> tags;
        try {
            tags = json.readValue(a.tags, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (JsonProcessingException e) {
            tags = Map.of();
        }
        return new AdapterView(a.name, a.baseModelId, a.description, tags, a.latestVersion, adapters.aliases(a), a.createdBy, a.createdAt);
    }

    private static Map<String, String> tags(JsonNode node) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return tags;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("tags must be a JSON object of strings, e.g. {\"team\": \"support\"}");
        }
        if (node.size() > Checks.MAX_TAGS) {
            throw ApiException.badRequest("tags has " + node.size() + " keys; at most " + Checks.MAX_TAGS);
        }
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw ApiException.badRequest("tag '" + Checks.abbreviate(e.getKey()) + "' must have a string value");
            }
            Checks.text(e.getKey(), Checks.MAX_TAG_KEY, "tags key");
            tags.put(e.getKey(), Checks.text(e.getValue().asText(), Checks.MAX_TAG_VALUE, "tags." + Checks.abbreviate(e.getKey())));
        }
        return tags;
    }
}
