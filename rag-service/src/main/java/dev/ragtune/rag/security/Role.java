package dev.ragtune.rag.security;

import dev.ragtune.service.security.ApiRole;

/**
 * Roles of the rag-service's API keys: {@code query} (query, retrieve, chat, feedback), {@code ingest} (documents,
 * reindex of one's own documents) and {@code admin}, which implies every role.
 * Parsing, ids and the check itself are service-support's ({@link ApiRole}, {@code ApiKeyFilter}).
 */
public enum Role implements ApiRole {
    QUERY, INGEST, ADMIN;

    @Override
    public boolean implies(ApiRole required) {
        return this == required || this == ADMIN;
    }
}
