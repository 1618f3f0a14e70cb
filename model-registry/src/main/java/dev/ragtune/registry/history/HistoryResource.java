package dev.ragtune.registry.history;

import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.ragtune.registry.adapters.Adapter;
import dev.ragtune.registry.adapters.AdapterService;
import dev.ragtune.registry.security.RequiresRole;
import dev.ragtune.registry.security.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;

@Path("/v1/adapters/{name}/history")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "history")
public class HistoryResource {

    /** One audited change, oldest first; eventId is the id of the Kafka event of the same change. */
    public record HistoryView(long id, String eventId, String type, String adapter, Integer version, String alias,
                              Integer fromVersion, Integer toVersion, String actor, String reason, boolean forced,
                              boolean rollback, Instant occurredAt) {
    }

    @Inject
    EntityManager em;

    @Inject
    AdapterService adapters;

    @GET
    @RequiresRole(Role.READER)
    @Operation(summary = "Every registration, alias change and archive of the adapter, oldest first")
    public List<HistoryView> history(@PathParam("name") String name) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Adapter a = adapters.find(name);
            return em.createQuery("from HistoryEntry where adapterId = :a order by id", HistoryEntry.class)
                    .setParameter("a", a.id).getResultList().stream()
                    .map(h -> new HistoryView(h.id, h.eventId.toString(), h.type, a.name, h.version, h.alias, h.fromVersion,
                            h.toVersion, h.actor, h.reason, h.forced, h.rollback, h.occurredAt))
                    .toList();
        });
    }
}
