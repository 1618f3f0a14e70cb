package dev.ragtune.registry.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.common.errors.ApiException;

/** Optional JSON bodies (archive, rollback, alias removal) read leniently: empty means {}. */
public final class Bodies {

    private Bodies() {
    }

    public static JsonNode optionalObject(String body, ObjectMapper mapper) {
        if (body == null || body.isBlank()) {
            return mapper.createObjectNode();
        }
        JsonNode n;
        try {
            n = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest("request body must be a JSON object");
        }
        return n;
    }

    public static String optionalText(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest("'" + field + "' must be a string");
        }
        return Checks.text(n.asText(), Checks.MAX_DESCRIPTION, "'" + field + "'");
    }
}
