package dev.ragtune.service.errors;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import dev.ragtune.common.errors.ApiException;

/**
 * Maps every exception to {@link ErrorBody}, in each service that depends on this module. A service adds mappers
 * of its own for more specific exception types (RESTEasy Reactive picks the closest type).
 *
 * <p>Nothing internal reaches a client: a client's mistake is a 4xx naming the field; anything else is a 500 that
 * says "internal error" and a reference, the same reference the log line carries (with the exception).
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    public static Response response(int status, String error, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(error, message)).build();
    }

    /** The 500 for an unexpected error: logged with a fresh reference, the body says only "internal error" and it. */
    public static Response internal(Throwable e) {
        return internal(500, e);
    }

    private static Response internal(int status, Throwable e) {
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected error, reference %s", reference);
        return response(status, "internal", internalMessage(reference));
    }

    public static String internalMessage(String reference) {
        return "internal error (reference " + reference + ")";
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return response(e.status(), e.error(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return response(400, "bad_request", describe(e));
    }

    /**
     * Type mismatches ({@code "temperature": "hot"}, {@code "text": ["a"]}, an array as the body) and strings with
     * U+0000. Declared for the exact type: Quarkus has a built-in mapper for it that answers with an empty body.
     */
    @ServerExceptionMapper
    public Response mismatch(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof JsonProcessingException jpe) {
                return json(jpe);
            }
        }
        if (status >= 500) {
            return internal(status, e);
        }
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if (status == 404) {
            message = "no such resource: " + (message == null ? "" : message);
        } else if (status == 413) {
            message = "request body too large";
        } else if (status == 400 && cause instanceof IllegalArgumentException && cause.getMessage() != null) {
            message = "bad request: " + firstLine(cause.getMessage()); // a parameter that does not convert, e.g. NumberFormatException
        }
        return response(status, codeFor(status), message == null ? Response.Status.fromStatusCode(status).getReasonPhrase() : message);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api(api);
            }
        }
        return internal(e);
    }

    @ServerExceptionMapper
    public Response unexpectedChecked(Exception e) {
        if (e instanceof RuntimeException re) {
            return unexpected(re);
        }
        return internal(e);
    }

    /** A message for a JSON error that names the field and the expected kind of value, and no Java type. */
    static String describe(JsonProcessingException e) {
        if (e instanceof JsonMappingException m) {
            String field = path(m);
            String subject = field.isEmpty() ? "request body" : field;
            if (m instanceof NulCharacterException) {
                return subject + " must not contain the NUL character (U+0000)";
            }
            if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
                return subject + " must be " + kind(mi.getTargetType());
            }
            Throwable cause = m.getCause();
            if (cause instanceof com.fasterxml.jackson.core.exc.InputCoercionException ice) {
                return subject + ": " + firstLine(String.valueOf(ice.getOriginalMessage())); // e.g. a number beyond int
            }
            if (cause instanceof ApiException api) {
                return api.getMessage();
            }
            return subject + " is invalid";
        }
        String field = null;
        if (e instanceof StreamReadException sre && sre.getProcessor() instanceof JsonParser p) {
            try {
                field = p.currentName();
            } catch (java.io.IOException | RuntimeException ignored) {
                field = null;
            }
        }
        String what = e.getOriginalMessage() == null ? "malformed" : firstLine(e.getOriginalMessage());
        var loc = e.getLocation();
        String at = loc == null || loc.getLineNr() < 0 ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        if (field != null && isCoercion(e)) {
            return field + ": " + what; // a number out of its type's range, e.g. "topK": 99999999999
        }
        return "request body is not valid JSON" + (field == null ? "" : " (at field " + field + ")") + ": " + what + at;
    }

    private static boolean isCoercion(JsonProcessingException e) {
        return e instanceof com.fasterxml.jackson.core.exc.InputCoercionException;
    }

    static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    static String kind(Class<?> t) {
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class || t == Short.class || t == short.class
                || t == BigInteger.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(t) || t == double.class || t == float.class || t == BigDecimal.class) {
            return "a number";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (CharSequence.class.isAssignableFrom(t) || t.isEnum() || t == char.class || t == Character.class) {
            return "a string";
        }
        if (t.isArray() || Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(t)) {
            return "a JSON object";
        }
        return "a JSON object";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 409 -> "conflict";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            case 416 -> "range_not_satisfiable";
            case 422 -> "unprocessable";
            default -> status >= 500 ? "internal" : "error";
        };
    }
}
