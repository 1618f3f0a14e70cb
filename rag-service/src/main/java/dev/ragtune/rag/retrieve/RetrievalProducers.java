package dev.ragtune.rag.retrieve;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.ragtune.rag.config.RagConfig;
import dev.ragtune.retrieval.embed.SentenceEmbedder;
import dev.ragtune.retrieval.index.ChunkIndex;
import dev.ragtune.retrieval.ingest.DocumentParser;
import dev.ragtune.retrieval.retrieve.HybridRetriever;
import dev.ragtune.retrieval.retrieve.RetrievalCore;

/**
 * CDI beans around the plain retrieval core: one {@link RetrievalCore} built from {@link RagConfig}, and its parts for
 * injection ({@code @Inject HybridRetriever retriever;} in {@link RetrieveResource} and the answers' retrieval).
 */
@ApplicationScoped
public class RetrievalProducers {

    @Produces
    @Singleton
    RetrievalCore core(RagConfig config) {
        RagConfig.Ingest in = config.ingest();
        RagConfig.Embedding em = config.embedding();
        RagConfig.Retrieval r = config.retrieval();
        return RetrievalCore.open(new RetrievalCore.Settings(config.indexDir(), em.modelDir(), em.batchSize(), em.maxSequenceLength(),
                em.threads(), in.chunkTokens(), in.chunkOverlapTokens(), in.languages(), in.maxDocumentBytes(), r.rrfK(),
                r.candidates()));
    }

    void close(@Disposes RetrievalCore core) {
        core.close();
    }

    @Produces
    @Singleton
    HybridRetriever retriever(RetrievalCore core) {
        return core.retriever();
    }

    @Produces
    @Singleton
    SentenceEmbedder embedder(RetrievalCore core) {
        return core.embedder();
    }

    @Produces
    @Singleton
    ChunkIndex index(RetrievalCore core) {
        return core.index();
    }

    @Produces
    @Singleton
    DocumentParser parser(RetrievalCore core) {
        return core.parser();
    }
}
