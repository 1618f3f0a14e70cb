package dev.ragtune.cli.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.net.URIBuilder;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON over HTTP to one service (Apache httpclient5 + Jackson) with a bearer key. A service that cannot be reached
 * becomes {@link CliException#unavailable}, an error answer {@link CliException#answered} with the service's own
 * {@code message}.
 */
public final class JsonHttp implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Service service;
    private final URI base;
    private final String apiKey;
    private final CloseableHttpClient http;

    public JsonHttp(Service service, URI base, String apiKey) {
        this(service, base, apiKey, Duration.ofSeconds(5), Duration.ofMinutes(5));
    }

    public JsonHttp(Service service, URI base, String apiKey, Duration connectTimeout, Duration readTimeout) {
        this.service = service;
        this.base = base;
        this.apiKey = apiKey;
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout))
                                .setSocketTimeout(Timeout.of(readTimeout)).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(readTimeout)).build())
                .disableAutomaticRetries()
                .build();
    }

    public URI base() {
        return base;
    }

    public <T> T get(Class<T> type, Map<String, ?> query, String... path) {
        return send(new HttpGet(uri(query, path)), JSON.constructType(type));
    }

    public <T> T get(JavaType type, Map<String, ?> query, String... path) {
        return send(new HttpGet(uri(query, path)), type);
    }

    public <T> T postJson(Class<T> type, Object body, String... path) {
        HttpPost post = new HttpPost(uri(Map.of(), path));
        try {
            post.setEntity(new StringEntity(JSON.writeValueAsString(body), ContentType.APPLICATION_JSON));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return send(post, JSON.constructType(type));
    }

    public <T> T post(Class<T> type, HttpEntity entity, String... path) {
        HttpPost post = new HttpPost(uri(Map.of(), path));
        post.setEntity(entity);
        return send(post, JSON.constructType(type));
    }

    private <T> T send(HttpUriRequestBase request, JavaType type) {
        if (apiKey != null) {
            request.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + apiKey);
        }
        request.setHeader(HttpHeaders.ACCEPT, "application/json");
        try {
            return http.execute(request, response -> {
                String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
                int status = response.getCode();
                if (status / 100 != 2) {
                    throw CliException.answered(service, status, errorMessage(body, response.getReasonPhrase()));
                }
                return JSON.readValue(body.isEmpty() ? "null" : body, type);
            });
        } catch (CliException e) {
            throw e;
        } catch (IOException e) {
            throw CliException.unavailable(service, base.toString(), describe(e));
        }
    }

    /** The service's {@code message} (error bodies are {@code {"error", "message"}}), else the body or the reason phrase. */
    static String errorMessage(String body, String reason) {
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.hasNonNull("message")) {
                return json.get("message").asText();
            }
            if (json != null && json.path("error").hasNonNull("message")) {
                return json.path("error").get("message").asText();
            }
        } catch (IOException notJson) {
            // fall through
        }
        return body.isBlank() ? reason : body.strip();
    }

    /** The cause of a failed connection in a few words, e.g. {@code Connection refused}. */
    public static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
    }

    private URI uri(Map<String, ?> query, String... path) {
        try {
            URIBuilder b = new URIBuilder(base);
            List<String> segments = new ArrayList<>(b.getPathSegments());
            segments.addAll(List.of(path));
            b.setPathSegments(segments);
            query.forEach((k, v) -> {
                if (v != null) {
                    b.addParameter(k, v.toString());
                }
            });
            return b.build();
        } catch (URISyntaxException e) {
            throw CliException.badInput("bad " + service.displayName() + " URL " + base + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
