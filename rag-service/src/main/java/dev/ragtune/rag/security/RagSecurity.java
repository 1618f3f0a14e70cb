package dev.ragtune.rag.security;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import dev.ragtune.rag.openai.OpenAiErrors;
import dev.ragtune.rag.openai.OpenAiPaths;
import dev.ragtune.rag.config.RagConfig;
import dev.ragtune.service.security.ApiSecurity;

/**
 * The rag-service's API security for service-support's {@code ApiKeyFilter}: the keys of
 * {@code ragtune.rag.api-keys."<key>"=role[:actor]} ({@link RagConfig#apiKeys()}), its {@link Role}s, the role an
 * endpoint needs ({@link RequiresRole}, else {@code admin}) and the realm of its 401s.
 */
@ApplicationScoped
public class RagSecurity extends ApiSecurity {

    @Inject
    RagSecurity(RagConfig config) {
        super("ragtune-rag", Role.ADMIN, RequiresRole.class, RequiresRole::value, config.apiKeys());
    }

    /** {@code /v1/chat/completions} and {@code /v1/models} refuse in OpenAI's error shape, like their other errors. */
    @Override
    protected Response rejection(ContainerRequestContext request, int status, String code, String message) {
        if (OpenAiPaths.matches(request.getUriInfo().getPath())) {
            return OpenAiErrors.response(OpenAiErrors.forStatus(status, message));
        }
        return super.rejection(request, status, code, message);
    }

    /** Reads the keys at start: a key with a role this service does not have stops it with the reason, not at its first request. */
    void checkKeysAtStart(@Observes StartupEvent start) {
        keys();
    }
}
