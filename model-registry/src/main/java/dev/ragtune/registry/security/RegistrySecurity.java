package dev.ragtune.registry.security;

import jakarta.enterprise.context.ApplicationScoped;
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
}
