package dev.ragtune.tuning.records;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Readiness of the records consumer: down while it is stopped or its last batch failed (it keeps retrying). */
@Readiness
@ApplicationScoped
public class RecordsConsumerHealth implements HealthCheck {

    @Inject
    RecordsPipeline pipeline;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("records-consumer");
        var loop = pipeline.consumer();
        if (loop.isEmpty()) {
            return b.up().withData("consumer", "disabled").build();
        }
        var l = loop.get();
        b.withData("batches", l.batchesHandled());
        String error = l.lastError();
        if (error != null) {
            // the probe is public: what failed, not the exception (that is in the log)
            b.withData("lastError", String.valueOf(l.lastErrorSummary())).withData("lastErrorAt", String.valueOf(l.lastErrorAt()));
        }
        return b.status(l.isRunning() && error == null).build();
    }
}
