package dev.ragtune.rag.adapters;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.ragtune.rag.generate.ModelRuntime;

/**
 * Ready when the model is loaded (or none is configured) and every served adapter's aliases have been resolved from
 * the registry at least once; reports the aliases and versions served.
 */
@Readiness
@ApplicationScoped
public class AdaptersHealthCheck implements HealthCheck {

    @Inject
    ModelRuntime runtime;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("adapters");
        AdapterTable table = runtime.table();
        if (table == null) {
            return b.up().withData("model", runtime.available() ? "loaded" : "none configured").build();
        }
        for (String a : table.adapters()) {
            b.withData(a, table.aliasVersions(a).toString());
        }
        boolean resolved = runtime.hotLoader() == null || runtime.hotLoader().resolved();
        b.withData("resolved", resolved);
        return resolved ? b.up().build() : b.down().build();
    }
}
