package dev.ragtune.rag.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.rag.openai.OpenAiException;

/**
 * A {@code POST /v1/chat/completions} body, parsed leniently where OpenAI is (unknown fields are
 * ignored) and strictly where a mistake would change the answer; every error names the field.
 * Extra fields: {@code retrieval} (default true), {@code retrieval_top_k}, {@code retrieval_filters}.
 */
public record ChatRequest(String model, List<ChatMessage> messages, boolean stream, boolean includeUsageChunk, Integer maxTokens,
                          String maxTokensField, Double temperature, Double topP, Integer topK, Long seed, List<String> stop,
                          boolean retrieval, Integer retrievalTopK, Map<String, String> retrievalFilters) {

    public static ChatRequest parse(String body, ObjectMapper json) {
        if (body == null || body.isBlank()) {
            throw OpenAiException.invalid(null, "request body is required: {\"model\": \"…\", \"messages\": […]}");
        }
        JsonNode n;
        try {
            n = json.readTree(body);
        } catch (Exception e) {
            throw OpenAiException.invalid(null, "request body is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? firstLine(j.getOriginalMessage()) : "unreadable"));
        }
        if (n == null || !n.isObject()) {
            throw OpenAiException.invalid(null, "request body must be a JSON object");
        }
        unsupported(n);
        String model = optText(n, "model");
        List<ChatMessage> messages = messages(n.get("messages"));
        boolean stream = optBool(n, "stream", false);
        JsonNode so = n.get("stream_options");
        boolean includeUsage = so != null && so.isObject() && so.path("include_usage").asBoolean(false);
        Integer maxTokens = optInt(n, "max_completion_tokens");
        String maxField = "max_completion_tokens";
        if (maxTokens == null) {
            maxTokens = optInt(n, "max_tokens");
            maxField = "max_tokens";
        }
        Integer count = optInt(n, "n");
        if (count != null && count != 1) {
            throw OpenAiException.invalid("n", "n must be 1: one choice per request is supported, got " + count);
        }
        Double temperature = optDouble(n, "temperature");
        Double topP = optDouble(n, "top_p");
        Integer topK = optInt(n, "top_k");
        JsonNode seedNode = n.get("seed");
        Long seed = null;
        if (seedNode != null && !seedNode.isNull()) {
            if (!seedNode.canConvertToLong()) {
                throw OpenAiException.invalid("seed", "seed must be an integer");
            }
            seed = seedNode.asLong();
        }
        List<String> stop = stop(n.get("stop"));
        boolean retrieval = optBool(n, "retrieval", true);
        Integer retrievalTopK = optInt(n, "retrieval_top_k"); // its range is the service's one retrieval limit, checked by the resource
        Map<String, String> filters = new LinkedHashMap<>();
        JsonNode f = n.get("retrieval_filters");
        if (f != null && !f.isNull()) {
            if (!f.isObject()) {
                throw OpenAiException.invalid("retrieval_filters", "retrieval_filters must be an object of strings");
            }
            if (f.size() > MAX_FILTER_KEYS) {
                throw OpenAiException.invalid("retrieval_filters", "retrieval_filters has " + f.size() + " keys; at most " + MAX_FILTER_KEYS);
            }
            f.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw OpenAiException.invalid("retrieval_filters", "retrieval_filters." + e.getKey() + " must be a string");
                }
                noNul(e.getValue().asText(), "retrieval_filters");
                filters.put(e.getKey(), e.getValue().asText());
            });
        }
        return new ChatRequest(model, messages, stream, includeUsage, maxTokens, maxField, temperature, topP, topK, seed, stop,
                retrieval, retrievalTopK, filters);
    }

    /** Most keys of {@code retrieval_filters}, as for {@code /v1/query}'s {@code filters}. */
    static final int MAX_FILTER_KEYS = dev.ragtune.rag.errors.Checks.MAX_FILTER_KEYS;

    /**
     * OpenAI fields this endpoint does not implement and that would change the answer if ignored: tools and function
     * calls, log-probabilities. Absent, null, empty or their "off" value is accepted (clients send defaults).
     */
    private static void unsupported(JsonNode n) {
        for (String f : List.of("tools", "functions")) {
            JsonNode v = n.get(f);
            if (v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
                throw OpenAiException.invalid(f, f + " is not supported: this endpoint does not call tools or functions");
            }
        }
        for (String f : List.of("tool_choice", "function_call")) {
            JsonNode v = n.get(f);
            if (v != null && !v.isNull() && !"none".equals(v.asText(null))) {
                throw OpenAiException.invalid(f, f + " is not supported: this endpoint does not call tools or functions");
            }
        }
        JsonNode lp = n.get("logprobs");
        if (lp != null && !lp.isNull() && !(lp.isBoolean() && !lp.asBoolean())) {
            throw OpenAiException.invalid("logprobs", "logprobs is not supported");
        }
        JsonNode tlp = n.get("top_logprobs");
        if (tlp != null && !tlp.isNull()) {
            throw OpenAiException.invalid("top_logprobs", "top_logprobs is not supported");
        }
    }

    /** A client's text: U+0000 cannot be stored (PostgreSQL) and means nothing in a question: 400 naming the field. */
    private static String noNul(String s, String field) {
        if (s.indexOf('\u0000') >= 0) {
            throw OpenAiException.invalid(field, field + " must not contain the NUL character (U+0000)");
        }
        return s;
    }

    private static List<ChatMessage> messages(JsonNode a) {
        if (a == null || !a.isArray() || a.isEmpty()) {
            throw OpenAiException.invalid("messages", "messages must be a non-empty array of {role, content}");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            JsonNode m = a.get(i);
            String field = "messages[" + i + "]";
            if (!m.isObject()) {
                throw OpenAiException.invalid(field, field + " must be an object {role, content}");
            }
            String role = m.path("role").asText("");
            if ("developer".equals(role)) {
                role = "system";
            }
            if (!ChatMessage.ROLES.contains(role)) {
                throw OpenAiException.invalid(field + ".role", field + ".role '" + m.path("role").asText("")
                        + "' is not supported: use system, developer, user or assistant");
            }
            if ("system".equals(role) && i > 0) {
                throw OpenAiException.invalid(field + ".role", "a system message is only supported as the first message");
            }
            out.add(new ChatMessage(role, content(m.get("content"), field + ".content")));
        }
        if (!"user".equals(out.get(out.size() - 1).role())) {
            throw OpenAiException.invalid("messages", "the last message must have role 'user' (the question to answer)");
        }
        return out;
    }

    private static String content(JsonNode c, String field) {
        if (c == null || c.isNull()) {
            throw OpenAiException.invalid(field, field + " is required");
        }
        if (c.isTextual()) {
            return noNul(c.asText(), field);
        }
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw OpenAiException.invalid(field, field + ": only text content parts {type: 'text', text} are supported");
                }
                sb.append(part.get("text").asText());
            }
            return noNul(sb.toString(), field);
        }
        throw OpenAiException.invalid(field, field + " must be a string or an array of text parts");
    }

    private static List<String> stop(JsonNode s) {
        if (s == null || s.isNull()) {
            return List.of();
        }
        if (s.isTextual()) {
            return List.of(noNul(s.asText(), "stop"));
        }
        if (s.isArray() && s.size() <= 4) {
            List<String> out = new ArrayList<>();
            for (JsonNode x : s) {
                if (!x.isTextual()) {
                    throw OpenAiException.invalid("stop", "stop must be a string or an array of up to 4 strings");
                }
                out.add(noNul(x.asText(), "stop"));
            }
            return out;
        }
        throw OpenAiException.invalid("stop", "stop must be a string or an array of up to 4 strings");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String optText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw OpenAiException.invalid(field, field + " must be a string");
        }
        return noNul(v.asText(), field);
    }

    private static boolean optBool(JsonNode n, String field, boolean dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw OpenAiException.invalid(field, field + " must be true or false");
        }
        return v.asBoolean();
    }

    private static Integer optInt(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw OpenAiException.invalid(field, field + " must be an integer");
        }
        return v.asInt();
    }

    private static Double optDouble(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw OpenAiException.invalid(field, field + " must be a number");
        }
        return v.asDouble();
    }
}
