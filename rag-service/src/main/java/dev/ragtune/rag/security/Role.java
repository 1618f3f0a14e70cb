package dev.ragtune.rag.security;

import java.util.Locale;

/**
 * Roles of API keys: {@code query} (query, retrieve, chat, feedback), {@code ingest} (documents, reindex of
 * one's own documents) and {@code admin}, which implies every role.
 */
public enum Role {
    QUERY, INGEST, ADMIN;

    public boolean implies(Role required) {
        return this == required || this == ADMIN;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        try {
            return Role.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + s + "' (query, ingest, admin)");
        }
    }
}
