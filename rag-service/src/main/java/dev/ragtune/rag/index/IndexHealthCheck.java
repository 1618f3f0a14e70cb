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
            return HealthCheckResponse.named("lucene-index").up().withData("chunks", index.chunkCount())
                    .withData("dir", index.dir().toString()).build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("lucene-index").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
