package dev.ragtune.rag.chat;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ragtune.model.generate.FinishReason;
import dev.ragtune.model.generate.GenerationResult;
import dev.ragtune.rag.adapters.AdapterLease;
import dev.ragtune.rag.answer.SourceChunk;

/** The JSON objects of OpenAI's chat completion API: the completion, its stream chunks, usage. */
public final class ChatJson {
    private final ObjectMapper json;

    public ChatJson(ObjectMapper json) {
        this.json = json;
    }

    public static String finishReason(FinishReason r) {
        return r == FinishReason.LENGTH ? "length" : "stop";
    }

    public ObjectNode completion(String id, long created, String model, GenerationResult r, List<SourceChunk> sources,
                                 AdapterLease lease) {
        ObjectNode o = json.createObjectNode();
        o.put("id", id);
        o.put("object", "chat.completion");
        o.put("created", created);
        o.put("model", model);
        o.putNull("system_fingerprint");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", r.text()).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(r.finishReason()));
        o.set("usage", usage(r));
        o.set("sources", json.valueToTree(sources));
        o.set("adapter", adapter(lease));
        return o;
    }

    /** The first chunk: the assistant role, plus the extra {@code sources} and {@code adapter}. */
    public ObjectNode firstChunk(String id, long created, String model, List<SourceChunk> sources, AdapterLease lease) {
        ObjectNode o = chunk(id, created, model);
        ObjectNode choice = o.withArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta").put("role", "assistant").put("content", "");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        o.set("sources", json.valueToTree(sources));
        o.set("adapter", adapter(lease));
        return o;
    }

    public ObjectNode deltaChunk(String id, long created, String model, String text) {
        ObjectNode o = chunk(id, created, model);
        ObjectNode choice = o.withArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta").put("content", text);
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return o;
    }

    /** The last chunk: empty delta, the finish reason and the usage. */
    public ObjectNode finalChunk(String id, long created, String model, GenerationResult r) {
        ObjectNode o = chunk(id, created, model);
        ObjectNode choice = o.withArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(r.finishReason()));
        o.set("usage", usage(r));
        return o;
    }

    /** OpenAI's trailing usage chunk ({@code stream_options.include_usage}): no choices. */
    public ObjectNode usageChunk(String id, long created, String model, GenerationResult r) {
        ObjectNode o = chunk(id, created, model);
        o.putArray("choices");
        o.set("usage", usage(r));
        return o;
    }

    private ObjectNode chunk(String id, long created, String model) {
        ObjectNode o = json.createObjectNode();
        o.put("id", id);
        o.put("object", "chat.completion.chunk");
        o.put("created", created);
        o.put("model", model);
        o.putNull("system_fingerprint");
        o.putArray("choices");
        return o;
    }

    private ObjectNode usage(GenerationResult r) {
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", r.promptIds().length);
        u.put("completion_tokens", r.tokenIds().length);
        u.put("total_tokens", r.promptIds().length + r.tokenIds().length);
        return u;
    }

    private ObjectNode adapter(AdapterLease lease) {
        if (lease.isBase()) {
            return null;
        }
        ObjectNode a = json.createObjectNode();
        a.put("name", lease.adapter());
        a.put("version", lease.version());
        if (lease.alias() == null) {
            a.putNull("alias");
        } else {
            a.put("alias", lease.alias());
        }
        return a;
    }
}
