package dev.ragtune.service.security;

import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Bearer API key authentication and role check for every REST endpoint of the service, as its {@link ApiSecurity}
 * describes. Missing or unknown key → 401; known key without the endpoint's role → 403; both with the service's
 * error body. Sets the request's {@link Caller}.
 */
public class ApiKeyFilter {

    @Inject
    ApiSecurity security;

    @Inject
    Caller caller;

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        ApiRole required = security.requiredRole(resource);
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            return deny(request, 401, "unauthorized", "missing API key: send 'Authorization: Bearer <key>'");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            return deny(request, 401, "unauthorized", "the Authorization header must be 'Bearer <key>'");
        }
        Optional<ApiKeys.Principal> principal = security.keys().lookup(header.substring(7).trim());
        if (principal.isEmpty()) {
            return deny(request, 401, "unauthorized", "unknown API key");
        }
        ApiRole role = principal.get().role();
        if (!role.implies(required)) {
            return deny(request, 403, "forbidden", "role '" + role.id() + "' may not " + request.getMethod() + " "
                    + request.getUriInfo().getPath() + ": it needs role '" + required.id() + "'");
        }
        caller.set(role, principal.get().actor());
        return Optional.empty();
    }

    private Optional<Response> deny(ContainerRequestContext request, int status, String code, String message) {
        Response r = security.rejection(request, status, code, message);
        if (status == 401) {
            r = Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + security.realm() + "\"").build();
        }
        return Optional.of(r);
    }
}
