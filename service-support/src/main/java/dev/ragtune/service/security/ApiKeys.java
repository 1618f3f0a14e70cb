package dev.ragtune.service.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * A service's configured API keys ({@code ragtune.<service>.api-keys."<key>"=role[:actor]}), held by their sha256 so
 * that a lookup does not compare secrets character by character.
 */
public final class ApiKeys {

    /** Who a key is: its role, and the actor that history and logs record (default {@code <role>-<8 hex of sha256(key)>}). */
    public record Principal(ApiRole role, String actor) {
    }

    private final Map<String, Principal> byHash = new HashMap<>();

    /**
     * @param keys  key → {@code role} or {@code role:actor}
     * @param roles the service's roles
     * @throws IllegalArgumentException for a role not in {@code roles}
     */
    public <R extends Enum<R> & ApiRole> ApiKeys(Map<String, String> keys, Class<R> roles) {
        keys.forEach((key, value) -> {
            String hash = sha256(key);
            int colon = value.indexOf(':');
            R role = ApiRole.parse(roles, colon < 0 ? value : value.substring(0, colon));
            String actor = colon < 0 ? role.id() + "-" + hash.substring(0, 8) : value.substring(colon + 1).trim();
            byHash.put(hash, new Principal(role, actor));
        });
    }

    public Optional<Principal> lookup(String key) {
        return Optional.ofNullable(byHash.get(sha256(key)));
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
