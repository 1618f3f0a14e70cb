package dev.ragtune.rag.retrieve;

import dev.ragtune.retrieval.retrieve.HybridRetriever;
import dev.ragtune.retrieval.retrieve.RetrievalMode;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ragtune.rag.config.RagConfig;
import io.micrometer.core.annotation.Timed;
import dev.ragtune.rag.errors.Checks;
import dev.ragtune.rag.security.RequiresRole;
import dev.ragtune.rag.security.Role;
import dev.ragtune.common.errors.ApiException;

@Path("/v1/retrieve")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "retrieval")
public class RetrieveResource {

    /** Body of {@code POST /v1/retrieve}; {@code filters} is an object of strings (exact match on document metadata). */
    public record RetrieveRequest(String query, Integer topK, JsonNode filters, String mode) {
    }

    public record Result(String documentId, String title, String chunkId, String text, double score, Map<String, String> metadata,
                         String headingPath, int start, int end, String language) {
    }

    public record RetrieveResponse(String mode, List<Result> results) {
    }

    @Inject
    HybridRetriever retriever;

    @Inject
    RagConfig config;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresRole(Role.QUERY)
    @Operation(summary = "Best chunks for a query {query, topK (default 5), filters, mode: hybrid|bm25|vector}; ?mode= overrides")
    @Timed(value = "ragtune.rag.retrieve", description = "POST /v1/retrieve: query embedding, BM25, kNN and fusion", histogram = true)
    public RetrieveResponse retrieve(RetrieveRequest req, @QueryParam("mode") String modeParam) {
        if (req == null || req.query() == null || req.query().isBlank()) {
            throw ApiException.badRequest("query is required: {query, topK, filters}");
        }
        int topK = req.topK() == null ? 5 : req.topK();
        int max = config.retrieval().maxTopK();
        if (topK < 1 || topK > max) {
            throw ApiException.badRequest("topK must be between 1 and " + max + ", got " + topK);
        }
        RetrievalMode mode;
        try {
            mode = RetrievalMode.parse(modeParam != null ? modeParam : req.mode());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        Map<String, String> filters = Checks.metadata(req.filters(), "filters");
        List<Result> results = retriever.retrieve(req.query(), topK, filters, mode).stream()
                .map(c -> new Result(c.documentId(), c.title(), c.chunkId(), c.text(), c.score(), c.metadata(), c.headingPath(),
                        c.start(), c.end(), c.language()))
                .toList();
        return new RetrieveResponse(mode.id(), results);
    }
}
