package dev.ragtune.rag.query;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.model.generate.Cancellation;
import dev.ragtune.model.generate.GenerationResult;
import dev.ragtune.model.generate.SamplingParams;
import dev.ragtune.model.generate.TokenListener;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.rag.adapters.AdapterDefaults;
import dev.ragtune.rag.adapters.AdapterRef;
import dev.ragtune.rag.answer.AnswerErrors;
import dev.ragtune.rag.answer.AnswerService;
import dev.ragtune.rag.answer.PreparedAnswer;
import dev.ragtune.rag.config.GenerationConfig;
import dev.ragtune.rag.errors.Checks;
import dev.ragtune.rag.security.RequiresRole;
import dev.ragtune.rag.security.Role;
import dev.ragtune.common.errors.ApiException;

/** {@code POST /v1/query}: a cited answer from the retrieved chunks, by the adapter the request names. */
@Path("/v1/query")
@RequiresRole(Role.QUERY)
public class QueryResource {

    @Inject
    AnswerService answers;

    @Inject
    AdapterDefaults adapters;

    @Inject
    GenerationConfig config;

    @Inject
    QueryStore store;

    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Answer a question with numbered sources")
    public QueryResponse query(QueryRequest request) {
        if (request == null) {
            throw ApiException.badRequest("request body is required: {\"question\": \"…\"}");
        }
        if (request.question() == null || request.question().isBlank()) {
            throw ApiException.badRequest("question is required");
        }
        int topK = answers.retrievalTopK(request.topK(), "topK");
        Checks.filters(request.filters(), "filters");
        PreparedAnswer p;
        GenerationResult r;
        try {
            AdapterRef ref = request.adapter() == null ? adapters.defaultRef()
                    : AdapterRef.parse(request.adapter(), adapters.defaultAlias());
            SamplingParams params = answers.params(request.maxTokens(), request.temperature(), null, null, null, List.of(), "maxTokens");
            p = answers.prepare("query", List.of(ChatMessage.user(request.question())), topK, request.filters(), ref, params);
            Cancellation cancellation = new Cancellation();
            dev.ragtune.rag.answer.ClientDisconnect.cancels(cancellation);
            r = answers.generate(p, TokenListener.NONE, cancellation).get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "interrupted");
        } catch (RuntimeException e) {
            throw unwrap(e);
        }
        double generationMs = (System.nanoTime() - p.startNanos()) / 1e6 - p.retrievalMs();
        QueryResponse.AdapterUsed used = p.lease().isBase() ? null
                : new QueryResponse.AdapterUsed(p.lease().adapter(), p.lease().version(), p.lease().alias());
        store.save(new StoredQuery(p.id(), "query", p.question(), null, r.text(), p.lease().adapter(), p.lease().version(),
                p.lease().alias(), sourcesJson(p), r.promptIds().length, r.tokenIds().length, r.finishReason().name().toLowerCase(),
                Instant.now()));
        return new QueryResponse(p.id().toString(), r.text(), p.prompt().sources(), used,
                new QueryResponse.Timings(round(p.retrievalMs()), round(generationMs)),
                new QueryResponse.Usage(r.promptIds().length, r.tokenIds().length), r.finishReason().name().toLowerCase());
    }

    private String sourcesJson(PreparedAnswer p) {
        try {
            return json.writeValueAsString(p.prompt().sources());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    private static RuntimeException unwrap(Throwable e) {
        ApiException api = AnswerErrors.toApi(e);
        if (api != null) {
            return api;
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
}
