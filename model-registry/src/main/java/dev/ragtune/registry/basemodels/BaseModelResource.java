package dev.ragtune.registry.basemodels;

import java.net.URI;
import java.time.Instant;
import java.util.List;

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

import dev.ragtune.registry.errors.Checks;
import dev.ragtune.registry.security.RequiresRole;
import dev.ragtune.registry.security.Role;
import dev.ragtune.common.errors.ApiException;
import dev.ragtune.service.security.Caller;

@Path("/v1/base-models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "base models")
public class BaseModelResource {

    /** Request body of {@code POST /v1/base-models}. */
    public record CreateBaseModel(String id, String architecture, String checkpointLocation, String sha256, String description) {
    }

    /**
     * A base model as the API shows it. {@code checkpointLocation} is where the checkpoint lies on the servers (a
     * file-system path or URL): only callers who may register base models (publisher, admin) see it; for others it is
     * null.
     */
    public record BaseModelView(String id, String architecture, String checkpointLocation, String sha256, String description,
                                String createdBy, Instant createdAt) {
        static BaseModelView of(BaseModel m, boolean withLocation) {
            return new BaseModelView(m.id, m.architecture, withLocation ? m.checkpointLocation : null, m.weightsSha256, m.description,
                    m.createdBy, m.createdAt);
        }
    }

    private BaseModelView view(BaseModel m) {
        return BaseModelView.of(m, caller.role() != null && caller.role().implies(Role.PUBLISHER));
    }

    @Inject
    EntityManager em;

    @Inject
    Caller caller;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @RequiresRole(Role.PUBLISHER)
    @Operation(summary = "Register a base model (id, architecture, checkpoint location, sha256 of its weights)")
    public Response create(CreateBaseModel req) {
        if (req == null) {
            throw ApiException.badRequest("request body is required: {id, architecture, checkpointLocation, sha256}");
        }
        Checks.matches(req.id(), Checks.ID, "id", "letters, digits, '.', '_' and '-', at most 128 characters");
        Checks.text(Checks.required(req.architecture(), "architecture").trim(), Checks.MAX_ARCHITECTURE, "architecture");
        Checks.text(Checks.required(req.checkpointLocation(), "checkpointLocation").trim(), Checks.MAX_LOCATION, "checkpointLocation");
        Checks.text(req.description(), Checks.MAX_DESCRIPTION, "description");
        String sha = Checks.sha256(req.sha256(), "sha256");
        if (em.find(BaseModel.class, req.id()) != null) {
            throw ApiException.conflict("base model '" + req.id() + "' already exists");
        }
        BaseModel m = new BaseModel();
        m.id = req.id();
        m.architecture = req.architecture().trim();
        m.checkpointLocation = req.checkpointLocation().trim();
        m.weightsSha256 = sha;
        m.description = req.description();
        m.createdBy = caller.actor();
        m.createdAt = Instant.now();
        try {
            em.persist(m);
            em.flush();
        } catch (PersistenceException e) {
            if (Checks.isUniqueViolation(e)) {
                throw ApiException.conflict("base model '" + req.id() + "' already exists"); // created concurrently
            }
            throw e;
        }
        return Response.created(URI.create("/v1/base-models/" + m.id)).entity(view(m)).build();
    }

    @GET
    @RequiresRole(Role.READER)
    @Operation(summary = "List base models")
    public List<BaseModelView> list() {
        return em.createQuery("from BaseModel order by id", BaseModel.class).getResultList().stream().map(this::view).toList();
    }

    @GET
    @Path("/{id}")
    @RequiresRole(Role.READER)
    @Operation(summary = "One base model")
    public BaseModelView get(@PathParam("id") String id) {
        BaseModel m = em.find(BaseModel.class, id);
        if (m == null) {
            throw ApiException.notFound("base model '" + Checks.abbreviate(id) + "' not found");
        }
        return view(m);
    }
}
