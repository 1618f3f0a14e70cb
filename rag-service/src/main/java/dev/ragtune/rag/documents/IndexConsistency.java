package dev.ragtune.rag.documents;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.ragtune.retrieval.retrieve.RetrievalCore;
import io.quarkus.runtime.StartupEvent;

/**
 * At start, rebuilds the index from PostgreSQL when it cannot be trusted: written with another embedding model, or
 * holding a different number of chunks than the database (a lost or foreign index directory).
 */
@ApplicationScoped
public class IndexConsistency {

    private static final Logger LOG = Logger.getLogger(IndexConsistency.class);

    @Inject
    DocumentStore store;

    @Inject
    RetrievalCore core;

    void onStart(@Observes StartupEvent ev) {
        long[] counts = store.counts();
        String indexed = core.index().indexedModelId();
        int inIndex = core.index().chunkCount();
        boolean modelDiffers = indexed != null && !indexed.equals(core.embedder().modelId());
        if (modelDiffers || inIndex != counts[1]) {
            LOG.infof("rebuilding the index in %s: %d chunks in the database, %d in the index, index model %s, model %s",
                    core.index().dir(), counts[1], inIndex, indexed, core.embedder().modelId());
            DocumentStore.ReindexResult r = store.reindex();
            LOG.infof("index rebuilt: %d documents, %d chunks (%d embedded again) in %d ms", r.documents(), r.chunks(), r.reembedded(),
                    r.millis());
        }
    }
}
