package dev.ragtune.rag.security;

import java.lang.reflect.Method;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.ragtune.rag.chat.OpenAiErrors;
import dev.ragtune.rag.chat.OpenAiPaths;
import dev.ragtune.rag.errors.ErrorMappers;

/**
 * Bearer API key authentication and role check for every REST endpoint of the rag-service.
 * Missing or unknown key → 401; known key without the endpoint's role → 403; both with the JSON error body.
 */
public class ApiKeyFilter {

    @Inject
    ApiKeys keys;

    @Inject
    Caller caller;

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        Role required = requiredRole(resource);
        boolean openAi = OpenAiPaths.matches(request.getUriInfo().getPath());
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            return deny(openAi, 401, "unauthorized", "missing API key: send 'Authorization: Bearer <key>'");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            return deny(openAi, 401, "unauthorized", "the Authorization header must be 'Bearer <key>'");
        }
        Optional<ApiKeys.Principal> principal = keys.lookup(header.substring(7).trim());
        if (principal.isEmpty()) {
            return deny(openAi, 401, "unauthorized", "unknown API key");
        }
        Role role = principal.get().role();
        if (!role.implies(required)) {
            return deny(openAi, 403, "forbidden", "role '" + role.id() + "' may not " + request.getMethod() + " "
                    + request.getUriInfo().getPath() + ": it needs role '" + required.id() + "'");
        }
        caller.set(role, principal.get().actor());
        return Optional.empty();
    }

    static Role requiredRole(ResourceInfo resource) {
        Method m = resource == null ? null : resource.getResourceMethod();
        if (m != null) {
            RequiresRole r = m.getAnnotation(RequiresRole.class);
            if (r == null) {
                r = resource.getResourceClass().getAnnotation(RequiresRole.class);
            }
            if (r != null) {
                return r.value();
            }
        }
        return Role.ADMIN;
    }

    private static Optional<Response> deny(boolean openAi, int status, String code, String message) {
        Response r = openAi ? OpenAiErrors.response(OpenAiErrors.forStatus(status, message)) : ErrorMappers.response(status, code, message);
        if (status == 401) {
            r = Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"ragtune-rag\"").build();
        }
        return Optional.of(r);
    }
}
