package dev.ragtune.registry.aliases;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.registry.errors.Bodies;
import dev.ragtune.registry.errors.Checks;
import dev.ragtune.registry.events.OutboxRelay;
import dev.ragtune.registry.security.RequiresRole;
import dev.ragtune.registry.security.Role;
import dev.ragtune.common.errors.ApiException;
import dev.ragtune.service.security.ApiRole;
import dev.ragtune.service.security.Caller;

@Path("/v1/adapters/{name}/aliases/{alias}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "aliases")
public class AliasResource {
    private static final String PRODUCTION = "production";


    @Inject
    AliasService aliases;

    @Inject
    OutboxRelay relay;

    @Inject
    Caller caller;

    @Inject
    ObjectMapper json;

    @PUT
    @Consumes(MediaType.WILDCARD)
    @RequiresRole(Role.READER) // narrowed below: see requireAliasRole
    @Operation(summary = "Point the alias at a version {version, reason, force}; promotion to 'production' passes the gate")
    public AliasService.Result set(@PathParam("name") String name, @PathParam("alias") String alias, String body) {
        Checks.aliasName(alias);
        requireAliasRole(alias);
        JsonNode req = Bodies.optionalObject(body, json);
        JsonNode v = req.get("version");
        if (v == null || v.isNull()) {
            throw ApiException.badRequest("version is required: {\"version\": N, \"reason\": \"…\", \"force\": false}");
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw ApiException.badRequest("version must be a positive integer, got " + Checks.abbreviate(v.toString()));
        }
        JsonNode force = req.get("force");
        if (force != null && !force.isNull() && !force.isBoolean()) {
            throw ApiException.badRequest("force must be true or false");
        }
        AliasService.Result r = aliases.set(name, alias, v.asInt(), Bodies.optionalText(req, "reason"),
                force != null && force.asBoolean(), caller.actor());
        relay.wakeUp();
        return r;
    }

    @DELETE
    @Consumes(MediaType.WILDCARD)
    @RequiresRole(Role.READER) // narrowed below: see requireAliasRole
    @Operation(summary = "Remove the alias (optional reason as ?reason= or body {reason})")
    public AliasService.Result remove(@PathParam("name") String name, @PathParam("alias") String alias,
                                      @QueryParam("reason") String reasonParam, String body) {
        Checks.aliasName(alias);
        requireAliasRole(alias);
        String reason = reasonParam != null ? Checks.text(reasonParam, Checks.MAX_DESCRIPTION, "reason") : Bodies.optionalText(Bodies.optionalObject(body, json), "reason");
        AliasService.Result r = aliases.remove(name, alias, reason, caller.actor());
        relay.wakeUp();
        return r;
    }

    @POST
    @Path("/rollback")
    @Consumes(MediaType.WILDCARD)
    @RequiresRole(Role.READER) // narrowed below: see requireAliasRole
    @Operation(summary = "Return the alias to the version it pointed at before its last change {reason}")
    public AliasService.Result rollback(@PathParam("name") String name, @PathParam("alias") String alias, String body) {
        Checks.aliasName(alias);
        requireAliasRole(alias);
        String reason = Bodies.optionalText(Bodies.optionalObject(body, json), "reason");
        AliasService.Result r = aliases.rollback(name, alias, reason, caller.actor());
        relay.wakeUp();
        return r;
    }

    /**
     * {@code production} is changed by {@code ops} only; other aliases ({@code staging}, …) also by {@code publisher},
     * so that the tuning-worker can point {@code staging} at the candidate it just registered.
     */
    private void requireAliasRole(String alias) {
        ApiRole role = caller.role();
        boolean allowed = role.implies(Role.OPS) || (!PRODUCTION.equals(alias) && role.implies(Role.PUBLISHER));
        if (!allowed) {
            throw ApiException.forbidden("role '" + role.id() + "' may not change alias '" + alias + "' (needs "
                    + (PRODUCTION.equals(alias) ? "ops" : "publisher or ops") + ")");
        }
    }
}
