package dev.ragtune.rag.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ragtune.model.generate.Cancellation;
import dev.ragtune.model.generate.GenerationResult;
import dev.ragtune.model.generate.SamplingParams;
import dev.ragtune.model.generate.TokenListener;
import dev.ragtune.rag.adapters.AdapterDefaults;
import dev.ragtune.rag.adapters.AdapterRef;
import dev.ragtune.rag.answer.AnswerService;
import dev.ragtune.rag.answer.ClientDisconnect;
import dev.ragtune.rag.answer.PreparedAnswer;
import dev.ragtune.rag.config.GenerationConfig;
import dev.ragtune.rag.openai.OpenAiErrors;
import dev.ragtune.rag.openai.OpenAiException;
import dev.ragtune.rag.query.QueryStore;
import dev.ragtune.rag.query.StoredQuery;
import dev.ragtune.rag.security.RequiresRole;
import dev.ragtune.rag.security.Role;
import dev.ragtune.service.errors.ErrorMappers;

/**
 * OpenAI-compatible {@code POST /v1/chat/completions}: {@code model} is an adapter reference
 * ({@code base}, {@code name}, {@code name:alias}, {@code name@version}); retrieval is on unless
 * {@code "retrieval": false}; the sources come back in the extra field {@code sources}, the adapter
 * version in {@code adapter}. {@code "stream": true} answers with server-sent events in OpenAI's
 * chunk format, ending with {@code data: [DONE]}. The response id ({@code chatcmpl-<uuid>}) is
 * the {@code queryId} for {@code /v1/feedback}.
 */
@Path("/v1/chat/completions")
@RequiresRole(Role.QUERY)
public class ChatCompletionResource {
    private static final Logger LOG = Logger.getLogger(ChatCompletionResource.class);
    public static final String ID_PREFIX = "chatcmpl-";

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
    @Operation(summary = "OpenAI-compatible chat completion (optionally streamed) with retrieval and adapter selection")
    public Response complete(String body) {
        try {
            ChatRequest req = ChatRequest.parse(body, json);
            AdapterRef ref = req.model() == null || req.model().isBlank() ? adapters.defaultRef()
                    : AdapterRef.parse(req.model(), adapters.defaultAlias());
            SamplingParams params = answers.params(req.maxTokens(), req.temperature(), req.topP(), req.topK(), req.seed(),
                    req.stop(), req.maxTokensField());
            int topK;
            try {
                topK = req.retrieval() ? answers.retrievalTopK(req.retrievalTopK(), "retrieval_top_k") : 0;
            } catch (dev.ragtune.common.errors.ApiException e) {
                throw OpenAiException.invalid("retrieval_top_k", e.getMessage());
            }
            PreparedAnswer p = answers.prepare("chat", req.messages(), topK, req.retrievalFilters(), ref, params);
            String id = ID_PREFIX + p.id();
            long created = Instant.now().getEpochSecond();
            String model = p.lease().modelId();
            ChatJson chat = new ChatJson(json);
            if (req.stream()) {
                return Response.ok(stream(p, id, created, model, chat, req.includeUsageChunk()))
                        .type("text/event-stream; charset=utf-8")
                        .header("Cache-Control", "no-cache")
                        .header("X-Accel-Buffering", "no")
                        .build();
            }
            GenerationResult r;
            Cancellation cancellation = new Cancellation();
            ClientDisconnect.cancels(cancellation);
            try {
                r = answers.generate(p, TokenListener.NONE, cancellation).get();
            } catch (ExecutionException e) {
                throw e.getCause();
            }
            remember(p, r);
            return Response.ok(chat.completion(id, created, model, r, p.prompt().sources(), p.lease()))
                    .type(MediaType.APPLICATION_JSON_TYPE).build();
        } catch (Throwable e) {
            throw translate(e);
        }
    }

    static RuntimeException translate(Throwable e) {
        OpenAiException o = ChatErrors.from(e);
        if (o != null) {
            return o;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String reference = java.util.UUID.randomUUID().toString();
        LOG.errorf(e, "chat completion failed, reference %s", reference);
        return new OpenAiException(500, "server_error", "internal_error", null, ErrorMappers.internalMessage(reference));
    }

    private void remember(PreparedAnswer p, GenerationResult r) {
        String sources;
        try {
            sources = json.writeValueAsString(p.prompt().sources());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        store.save(new StoredQuery(p.id(), "chat", p.question(), p.system() == null ? null : p.system().content(), r.text(),
                p.lease().adapter(), p.lease().version(), p.lease().alias(), sources, r.promptIds().length, r.tokenIds().length,
                r.finishReason().name().toLowerCase(), Instant.now()));
    }

    /** Items the generation thread hands to the writing thread. */
    private sealed interface Item permits Delta, Done, Failed {
    }

    private record Delta(String text) implements Item {
    }

    private record Done(GenerationResult result) implements Item {
    }

    private record Failed(Throwable error) implements Item {
    }

    /**
     * The SSE body. Tokens are produced on the generation pool and written by the request's own
     * worker thread, one {@code data:} event each, flushed as they come. A client that goes away
     * cancels the generation.
     */
    private StreamingOutput stream(PreparedAnswer p, String id, long created, String model, ChatJson chat, boolean usageChunk) {
        BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
        Cancellation cancellation = new Cancellation();
        ClientDisconnect disconnect = ClientDisconnect.cancels(cancellation);
        CompletableFuture<GenerationResult> f = answers.generate(p, (tokenId, delta) -> {
            if (!delta.isEmpty()) {
                queue.add(new Delta(delta));
            }
        }, cancellation);
        f.whenComplete((r, e) -> queue.add(e == null ? new Done(r) : new Failed(e)));
        return out -> {
            try {
                send(out, chat.firstChunk(id, created, model, p.prompt().sources(), p.lease()).toString());
                while (true) {
                    Item item = queue.poll(250, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (item == null) {
                        if (disconnect.closed()) {
                            cancellation.cancel(); // nobody reads any more: free the generation slot
                        }
                        continue;
                    }
                    if (item instanceof Delta d) {
                        send(out, chat.deltaChunk(id, created, model, d.text()).toString());
                    } else if (item instanceof Done d) {
                        try {
                            remember(p, d.result());
                        } catch (RuntimeException e) {
                            // the answer could not be stored: the stream still ends, with an error event
                            send(out, json.valueToTree(OpenAiErrors.body((OpenAiException) translate(e))).toString());
                            return;
                        }
                        send(out, chat.finalChunk(id, created, model, d.result()).toString());
                        if (usageChunk) {
                            send(out, chat.usageChunk(id, created, model, d.result()).toString());
                        }
                        send(out, "[DONE]");
                        return;
                    } else if (item instanceof Failed fail) {
                        Throwable cause = fail.error() instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
                                ? ce.getCause() : fail.error();
                        OpenAiException o = (OpenAiException) translate(cause);
                        ObjectNode err = json.valueToTree(OpenAiErrors.body(o));
                        send(out, err.toString());
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                cancellation.cancel(); // the client went away (or writing failed): stop generating for nobody
                throw e;
            } catch (InterruptedException e) {
                cancellation.cancel();
                Thread.currentThread().interrupt();
            }
        };
    }

    static void send(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
