package dev.ragtune.rag.errors;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ragtune.common.errors.ApiException;
import dev.ragtune.service.errors.Inputs;

/** Input checks shared by the resources; each failure is a 400 naming the field. */
public final class Checks {

    /**
     * Document ids: letters, digits, {@code . _ - : /}, starting with a letter or digit, not ending with {@code /} (the
     * HTTP layer drops a trailing slash, so {@code GET /v1/documents/a/b/} could only address {@code a/b}), at most 256
     * characters.
     */
    public static final Pattern DOCUMENT_ID = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._:/-]{0,254}[A-Za-z0-9._:-])?");
    public static final int MAX_TITLE = 1000;
    public static final int MAX_FILTER_KEYS = 64;
    public static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    public static final int MAX_METADATA_VALUE = 1024;
    public static final int MAX_METADATA_KEYS = 64;

    private Checks() {
    }

    public static String documentId(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!DOCUMENT_ID.matcher(value).matches() || value.contains("//") || value.contains("..")) {
            throw ApiException.badRequest("id '" + printable(abbreviate(value)) + "' is invalid: letters, digits, '.', '_', '-', ':' and '/',"
                    + " starting with a letter or digit, not ending with '/', no '..' or '//', at most 256 characters");
        }
        return value;
    }

    /** A document id in a path: one that could not have been stored addresses nothing (404), before any query. */
    public static String existingDocumentId(String value) {
        if (value == null || !DOCUMENT_ID.matcher(value).matches()) {
            throw ApiException.notFound("document '" + printable(abbreviate(value == null ? "" : value)) + "' not found");
        }
        return value;
    }

    /** A document title: no U+0000, at most {@link #MAX_TITLE} characters; null stays null. */
    public static String title(String value) {
        return Inputs.text(value, MAX_TITLE, "title");
    }

    /** Retrieval filters of a request: at most {@link #MAX_FILTER_KEYS} keys (each is a clause of the search). */
    public static Map<String, String> filters(Map<String, String> filters, String field) {
        if (filters != null && filters.size() > MAX_FILTER_KEYS) {
            throw ApiException.badRequest(field + " has " + filters.size() + " keys; at most " + MAX_FILTER_KEYS);
        }
        return filters;
    }

    /** {@code s} with control characters shown as Java escapes (backslash, u, four hex digits), for messages. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.chars().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.append((char) c);
            }
        });
        return sb.toString();
    }

    /** A JSON object of strings (absent or null: empty). */
    public static Map<String, String> metadata(JsonNode node, String field) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull() || node.isMissingNode()) {
            return out;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest(field + " must be a JSON object of strings");
        }
        if (node.size() > MAX_METADATA_KEYS) {
            throw ApiException.badRequest(field + " has " + node.size() + " keys; at most " + MAX_METADATA_KEYS);
        }
        node.fields().forEachRemaining(e -> {
            if (!METADATA_KEY.matcher(e.getKey()).matches()) {
                throw ApiException.badRequest(field + " key '" + abbreviate(e.getKey())
                        + "' is invalid: letters, digits, '_', '.', '-', at most 64 characters");
            }
            JsonNode v = e.getValue();
            if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) {
                throw ApiException.badRequest(field + "." + e.getKey() + " must be a string");
            }
            String text = v.asText();
            if (text.indexOf('\u0000') >= 0) {
                throw ApiException.badRequest(field + "." + e.getKey() + " must not contain the NUL character (U+0000)");
            }
            if (text.length() > MAX_METADATA_VALUE) {
                throw ApiException.badRequest(field + "." + e.getKey() + " is longer than " + MAX_METADATA_VALUE + " characters");
            }
            out.put(e.getKey(), text);
        });
        return out;
    }

    /** Metadata given as a JSON text (a multipart part). */
    public static Map<String, String> metadata(String json, ObjectMapper mapper, String field) {
        if (json == null || json.isBlank()) {
            return new LinkedHashMap<>();
        }
        try {
            return metadata(mapper.readTree(json), field);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest(field + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
