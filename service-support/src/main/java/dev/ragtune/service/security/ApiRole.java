package dev.ragtune.service.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A role of a service's API keys. Each service declares its roles as an enum implementing this (its own set and
 * hierarchy), and an annotation of its own naming the role an endpoint needs (see {@link ApiSecurity}).
 */
public interface ApiRole {

    /** The enum constant's name. */
    String name();

    /** Whether a key with this role may call an endpoint that needs {@code required}. */
    boolean implies(ApiRole required);

    /** The role as configured and as messages name it: the lower-case constant name ({@code ops}). */
    default String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role of {@code roles} whose {@link #id()} is {@code s} (case and surrounding blanks ignored). */
    static <R extends Enum<R> & ApiRole> R parse(Class<R> roles, String s) {
        String id = s.trim().toLowerCase(Locale.ROOT);
        for (R r : roles.getEnumConstants()) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + s + "' ("
                + Arrays.stream(roles.getEnumConstants()).map(ApiRole::id).collect(Collectors.joining(", ")) + ")");
    }
}
