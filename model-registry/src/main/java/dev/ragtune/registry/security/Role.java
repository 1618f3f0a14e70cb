package dev.ragtune.registry.security;

import dev.ragtune.service.security.ApiRole;

/**
 * Roles of the registry's API keys. {@code admin} implies every role; {@code ops} and {@code publisher} imply
 * {@code reader}.
 * Parsing, ids and the check itself are service-support's ({@link ApiRole}, {@code ApiKeyFilter}).
 */
public enum Role implements ApiRole {
    READER, PUBLISHER, OPS, ADMIN;

    @Override
    public boolean implies(ApiRole required) {
        if (this == required || this == ADMIN) {
            return true;
        }
        return required == READER && (this == OPS || this == PUBLISHER);
    }
}
