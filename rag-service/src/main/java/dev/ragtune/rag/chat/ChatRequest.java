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
            throw OpenAiException.invalid(null, "request body is not valid JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw OpenAiException.invalid(null, "request body must be a JSON object");
        }
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
        Integer retrievalTopK = optInt(n, "retrieval_top_k");
        if (retrievalTopK != null && retrievalTopK < 0) {
            throw OpenAiException.invalid("retrieval_top_k", "retrieval_top_k must be >= 0, got " + retrievalTopK);
        }
        Map<String, String> filters = new LinkedHashMap<>();
        JsonNode f = n.get("retrieval_filters");
        if (f != null && !f.isNull()) {
            if (!f.isObject()) {
                throw OpenAiException.invalid("retrieval_filters", "retrieval_filters must be an object of strings");
            }
            f.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw OpenAiException.invalid("retrieval_filters", "retrieval_filters." + e.getKey() + " must be a string");
                }
                filters.put(e.getKey(), e.getValue().asText());
            });
        }
        return new ChatRequest(model, messages, stream, includeUsage, maxTokens, maxField, temperature, topP, topK, seed, stop,
                retrieval, retrievalTopK, filters);
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
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw OpenAiException.invalid(field, field + ": only text content parts {type: 'text', text} are supported");
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw OpenAiException.invalid(field, field + " must be a string or an array of text parts");
    }

    private static List<String> stop(JsonNode s) {
        if (s == null || s.isNull()) {
            return List.of();
        }
        if (s.isTextual()) {
            return List.of(s.asText());
        }
        if (s.isArray() && s.size() <= 4) {
            List<String> out = new ArrayList<>();
            for (JsonNode x : s) {
                if (!x.isTextual()) {
                    throw OpenAiException.invalid("stop", "stop must be a string or an array of up to 4 strings");
                }
                out.add(x.asText());
            }
            return out;
        }
        throw OpenAiException.invalid("stop", "stop must be a string or an array of up to 4 strings");
    }

    private static String optText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw OpenAiException.invalid(field, field + " must be a string");
        }
        return v.asText();
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
