package dev.ragtune.rag.index;

import dev.ragtune.retrieval.index.ChunkIndex;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: the Lucene index answers, with its chunk count and embedding model. */
@Readiness
@ApplicationScoped
public class IndexHealthCheck implements HealthCheck {

    @Inject
    ChunkIndex index;

    @Override
    public HealthCheckResponse call() {
        try {
            return HealthCheckResponse.named("lucene-index").up().withData("chunks", index.chunkCount()).build();
        } catch (RuntimeException e) {
            org.jboss.logging.Logger.getLogger(IndexHealthCheck.class).warn("readiness: the index cannot be read", e);
            return HealthCheckResponse.named("lucene-index").down().withData("error", "the index cannot be read (see the service log)").build();
        }
    }
}
