package dev.ragtune.service.errors;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Bodies over {@code quarkus.http.limits.max-body-size} answer 413 with the JSON error body. Quarkus refuses them
 * before any JAX-RS code runs (an empty 413), so the check runs first, on the Vert.x router: a declared
 * {@code Content-Length} over the limit is refused at once, and a body that outgrows the limit while it is read
 * (the body handler fails the request with 413) gets the same answer.
 */
@ApplicationScoped
public class BodyLimit {

    void install(@Observes Router router) {
        Optional<MemorySize> max = ConfigProvider.getConfig().getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class);
        if (max.isEmpty()) {
            return;
        }
        long limit = max.get().asLongValue();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null) {
                try {
                    if (Long.parseLong(length.trim()) > limit) {
                        tooLarge(ctx, limit);
                        return;
                    }
                } catch (NumberFormatException e) {
                    // not a number: Vert.x refuses the request itself
                }
            }
            ctx.next();
        });
        router.errorHandler(413, ctx -> tooLarge(ctx, limit));
    }

    private static void tooLarge(RoutingContext ctx, long limit) {
        if (ctx.response().headWritten()) {
            ctx.response().close();
            return;
        }
        String body = new JsonObject().put("error", "payload_too_large")
                .put("message", "request body is larger than the limit of " + limit + " bytes").encode();
        // the rest of the body is not read: the connection is closed once the answer is written (HTTP/1.x; closing an
        // HTTP/2 connection would end its other streams)
        ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json").putHeader("Connection", "close").end(body)
                .onComplete(done -> {
                    if (ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
                        ctx.request().connection().close();
                    }
                });
    }
}
