package dev.ragtune.tuning.security;

import dev.ragtune.service.security.ApiRole;

/**
 * Roles of the tuning-worker's API keys: {@code reader} (GET endpoints), {@code ops} (start and cancel jobs; includes
 * reader), {@code admin} (everything).
 * Parsing, ids and the check itself are service-support's ({@link ApiRole}, {@code ApiKeyFilter}).
 */
public enum Role implements ApiRole {
    READER, OPS, ADMIN;

    @Override
    public boolean implies(ApiRole required) {
        if (this == required || this == ADMIN) {
            return true;
        }
        return required == READER && this == OPS;
    }
}
