package dev.ragtune.rag.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.ragtune.rag.config.RagConfig;

/** The configured API keys, held by their sha256 so that a lookup does not compare secrets character by character. */
@ApplicationScoped
public class ApiKeys {

    public record Principal(Role role, String actor) {
    }

    private final Map<String, Principal> byHash = new HashMap<>();

    @Inject
    public ApiKeys(RagConfig config) {
        config.apiKeys().forEach((key, value) -> {
            String hash = sha256(key);
            int colon = value.indexOf(':');
            Role role = Role.parse(colon < 0 ? value : value.substring(0, colon));
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
