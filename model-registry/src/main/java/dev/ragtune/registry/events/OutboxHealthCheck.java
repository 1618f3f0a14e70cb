package dev.ragtune.registry.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the outbox relay. It stays UP while Kafka is unreachable — changes are still accepted and
 * wait in the outbox — but shows how many events are pending and the last send error.
 */
@Readiness
@ApplicationScoped
public class OutboxHealthCheck implements HealthCheck {

    @Inject
    OutboxRelay relay;

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("outbox-relay").up()
                .withData("running", relay.isRunning())
                .withData("pending", relay.pendingCount());
        if (relay.lastError() != null) {
            b.withData("lastError", "sending events to Kafka failed; see the registry log"); // the probe is public: no exception text
        }
        if (relay.lastSuccess() != null) {
            b.withData("lastSuccess", relay.lastSuccess().toString());
        }
        return b.build();
    }
}
