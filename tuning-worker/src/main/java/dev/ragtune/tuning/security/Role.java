package dev.ragtune.tuning.security;

import java.util.Locale;

/**
 * Roles of API keys: {@code reader} (GET endpoints), {@code ops} (start and cancel jobs; includes reader),
 * {@code admin} (everything).
 */
public enum Role {
    READER, OPS, ADMIN;

    public boolean implies(Role required) {
        if (this == required || this == ADMIN) {
            return true;
        }
        return required == READER && this == OPS;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        try {
            return Role.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + s + "' (reader, ops, admin)");
        }
    }
}
