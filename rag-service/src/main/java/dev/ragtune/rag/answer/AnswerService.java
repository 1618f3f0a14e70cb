package dev.ragtune.rag.answer;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.ragtune.model.generate.Cancellation;
import dev.ragtune.model.generate.GenerationRequest;
import dev.ragtune.model.generate.GenerationResult;
import dev.ragtune.model.generate.SamplingParams;
import dev.ragtune.model.generate.TokenListener;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.rag.adapters.AdapterLease;
import dev.ragtune.rag.adapters.AdapterRef;
import dev.ragtune.rag.adapters.AdapterResolver;
import dev.ragtune.rag.config.GenerationConfig;
import dev.ragtune.rag.config.RagConfig;
import dev.ragtune.common.errors.ApiException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The answer pipeline shared by {@code /v1/query} and {@code /v1/chat/completions}: lease the
 * adapter (at the request's start), retrieve, build the cited prompt fitted to the context window,
 * generate on the bounded pool, release the lease after the last token. Without a model (no
 * {@code ragtune.rag.model.dir}) the resolver, prompt builder and pool are absent and every answer is a 503.
 */
@ApplicationScoped
public class AnswerService {

    @Inject
    Optional<AdapterResolver> resolver;

    @Inject
    Optional<CitationPromptBuilder> prompts;

    @Inject
    Optional<GenerationPool> pool;

    @Inject
    GenerationConfig config;

    @Inject
    RagConfig ragConfig;

    @Inject
    ChunkRetrieval retrieval;

    @Inject
    MeterRegistry meters;

    /**
     * @param conversation the messages; the last one is the user's question
     * @param topK         0 = no retrieval
     */
    public PreparedAnswer prepare(String endpoint, List<ChatMessage> conversation, int topK, Map<String, String> filters,
                                  AdapterRef ref, SamplingParams params) {
        if (topK < 0 || topK > ragConfig.retrieval().maxTopK()) {
            throw new IllegalArgumentException("topK must be between 0 and " + ragConfig.retrieval().maxTopK() + ", got " + topK);
        }
        long start = System.nanoTime();
        AdapterLease lease = resolver.orElseThrow(AnswerErrors::noModel).lease(ref);
        try {
            String question = conversation.get(conversation.size() - 1).content();
            ChatMessage system = "system".equals(conversation.get(0).role()) ? conversation.get(0) : null;
            List<SourceChunk> chunks = List.of();
            double retrievalMs = 0;
            if (topK > 0) {
                long r0 = System.nanoTime();
                chunks = retrieval.retrieve(question, topK, filters == null ? Map.of() : filters);
                long took = System.nanoTime() - r0;
                retrievalMs = took / 1e6;
                Timer.builder("ragtune.rag.retrieval").tag("endpoint", endpoint).description("retrieval time of answers")
                        .publishPercentiles(0.5, 0.99).register(meters).record(took, TimeUnit.NANOSECONDS);
            }
            BuiltPrompt prompt = prompts.orElseThrow(AnswerErrors::noModel).build(conversation, chunks, params.maxTokens());
            return new PreparedAnswer(UUID.randomUUID(), endpoint, question, system, lease, prompt, params, retrievalMs, start);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /**
     * Queues the generation; the lease is released when it ends, whichever way.
     *
     * @throws GenerationBusyException when the pool's queue is full (the lease is released)
     */
    public CompletableFuture<GenerationResult> generate(PreparedAnswer p, TokenListener listener, Cancellation cancellation) {
        long g0 = System.nanoTime();
        CompletableFuture<GenerationResult> f;
        try {
            f = pool.orElseThrow(AnswerErrors::noModel).submit(new GenerationRequest(p.prompt().ids(), p.params(), p.lease().ort(), cancellation), listener);
        } catch (RuntimeException e) {
            p.abandon();
            throw e;
        }
        String adapterTag = p.lease().isBase() ? AdapterRef.BASE_NAME : p.lease().adapter();
        return f.whenComplete((r, e) -> {
            p.abandon();
            if (r != null) {
                Timer.builder("ragtune.rag.generation").tag("endpoint", p.endpoint()).tag("adapter", adapterTag)
                        .description("generation time (queue wait, prefill and decode)").publishPercentiles(0.5, 0.99)
                        .register(meters).record(System.nanoTime() - g0, TimeUnit.NANOSECONDS);
                meters.counter("ragtune.rag.generated.tokens", "adapter", adapterTag).increment(r.tokenIds().length);
                meters.counter("ragtune.rag.prompt.tokens", "adapter", adapterTag).increment(r.promptIds().length);
                if (r.tokensPerSecond() > 0) {
                    DistributionSummary.builder("ragtune.rag.generation.tokens.per.second").tag("adapter", adapterTag)
                            .description("decode speed of one generation").register(meters).record(r.tokensPerSecond());
                }
            }
        });
    }

    /**
     * The number of chunks an answer retrieves, from a request's field: absent → {@code generation.default-top-k}; 0 = no
     * retrieval; at most {@code retrieval.max-top-k}, the same limit as {@code /v1/retrieve}'s {@code topK}.
     *
     * @throws ApiException 400 naming {@code field}
     */
    public int retrievalTopK(Integer value, String field) {
        int max = ragConfig.retrieval().maxTopK();
        int k = value == null ? config.generation().defaultTopK() : value;
        if (k < 0 || k > max) {
            throw ApiException.badRequest(field + " must be between 0 (no retrieval) and " + max + ", got " + k);
        }
        return k;
    }

    /** Sampling parameters from a request's fields, validated with messages naming the field. */
    public SamplingParams params(Integer maxTokens, Double temperature, Double topP, Integer topK, Long seed, List<String> stop,
                                 String maxTokensField) {
        int limit = config.generation().maxTokensLimit();
        int mt = maxTokens == null ? config.generation().defaultMaxTokens() : maxTokens;
        if (mt < 1 || mt > limit) {
            throw new IllegalArgumentException(maxTokensField + " must be between 1 and " + limit + ", got " + mt);
        }
        double t = temperature == null ? 0.0 : temperature;
        if (!(t >= 0 && t <= 2)) {
            throw new IllegalArgumentException("temperature must be between 0 and 2, got " + t);
        }
        double p = topP == null ? 1.0 : topP;
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + p);
        }
        int k = topK == null ? 0 : topK;
        if (k < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + k);
        }
        long s = seed == null ? System.nanoTime() : seed;
        return new SamplingParams(mt, t, k, p, 1.0, s, stop == null ? List.of() : stop);
    }
}
