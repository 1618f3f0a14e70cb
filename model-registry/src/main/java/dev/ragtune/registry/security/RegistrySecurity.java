package dev.ragtune.registry.security;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.ragtune.registry.config.RegistryConfig;
import dev.ragtune.service.security.ApiSecurity;

/**
 * The registry's API security for service-support's {@code ApiKeyFilter}: the keys of
 * {@code ragtune.registry.api-keys."<key>"=role[:actor]} ({@link RegistryConfig#apiKeys()}), its {@link Role}s, the role an
 * endpoint needs ({@link RequiresRole}, else {@code admin}) and the realm of its 401s.
 */
@ApplicationScoped
public class RegistrySecurity extends ApiSecurity {

    @Inject
    RegistrySecurity(RegistryConfig config) {
        super("ragtune-registry", Role.ADMIN, RequiresRole.class, RequiresRole::value, config.apiKeys());
    }

    /** Reads the keys at start: a key with a role this service does not have stops it with the reason, not at its first request. */
    void checkKeysAtStart(@Observes StartupEvent start) {
        keys();
    }
}
