package dev.ragtune.registry.security;

import java.util.Locale;

/**
 * Roles of API keys. {@code admin} implies every role; {@code ops} and {@code publisher} imply {@code reader}.
 */
public enum Role {
    READER, PUBLISHER, OPS, ADMIN;

    public boolean implies(Role required) {
        if (this == required || this == ADMIN) {
            return true;
        }
        return required == READER && (this == OPS || this == PUBLISHER);
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        try {
            return Role.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + s + "' (reader, publisher, ops, admin)");
        }
    }
}
