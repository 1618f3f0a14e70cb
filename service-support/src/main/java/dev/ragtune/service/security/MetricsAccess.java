package dev.ragtune.service.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /q/metrics} lists adapter names, endpoints and internal counters: with {@code ragtune.metrics.key}
 * ({@code RAGTUNE_METRICS_KEY}) set, it answers only {@code Authorization: Bearer <that key>} (401 with the JSON error
 * body otherwise), the credential Prometheus presents (the Kubernetes {@code ServiceMonitor} carries it). Unset (a
 * developer's machine, the local platform, the tests) it stays open. The health probes are never guarded: they show
 * nothing internal. docs/operations.md lists what is public.
 */
@ApplicationScoped
public class MetricsAccess {

    public static final String PROPERTY = "ragtune.metrics.key";

    void install(@Observes Router router) {
        Optional<String> key = ConfigProvider.getConfig().getOptionalValue(PROPERTY, String.class).filter(k -> !k.isBlank());
        if (key.isEmpty()) {
            return;
        }
        byte[] expected = ("Bearer " + key.get().trim()).getBytes(StandardCharsets.UTF_8);
        router.routeWithRegex("/q/metrics(/.*)?").order(Integer.MIN_VALUE).handler(ctx -> {
            String header = ctx.request().getHeader("Authorization");
            if (header != null && MessageDigest.isEqual(expected, header.trim().getBytes(StandardCharsets.UTF_8))) {
                ctx.next();
            } else {
                deny(ctx);
            }
        });
    }

    private static void deny(RoutingContext ctx) {
        String body = new JsonObject().put("error", "unauthorized")
                .put("message", "/q/metrics needs the metrics key: send 'Authorization: Bearer <ragtune.metrics.key>'").encode();
        ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                .putHeader("WWW-Authenticate", "Bearer realm=\"metrics\"").end(body);
    }
}
