package dev.ragtune.rag.adapters;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.ragtune.model.generate.ServingModel;

/**
 * Ready when the model is loaded (or none is configured) and every served adapter's aliases have been resolved from
 * the registry at least once; reports the aliases and versions served.
 */
@Readiness
@ApplicationScoped
public class AdaptersHealthCheck implements HealthCheck {

    @Inject
    Optional<ServingModel> model;

    @Inject
    Optional<AdapterTable> table;

    @Inject
    Optional<AdapterHotLoader> hotLoader;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("adapters");
        if (table.isEmpty()) {
            return b.up().withData("model", model.isPresent() ? "loaded" : "none configured").build();
        }
        for (String a : table.get().adapters()) {
            b.withData(a, table.get().aliasVersions(a).toString());
        }
        boolean resolved = hotLoader.map(AdapterHotLoader::resolved).orElse(true);
        b.withData("resolved", resolved);
        return resolved ? b.up().build() : b.down().build();
    }
}
