package dev.ragtune.registry;

import static dev.ragtune.registry.Api.as;
import static dev.ragtune.registry.EmbeddedServices.ADMIN;
import static dev.ragtune.registry.EmbeddedServices.OPS;
import static dev.ragtune.registry.EmbeddedServices.PUBLISHER;
import static dev.ragtune.registry.EmbeddedServices.READER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Acceptance 5: every endpoint × every role (and no key, and an unknown key). */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RoleMatrixTest {

    static final String A = "roles-bot";

    /** One endpoint: the least role it needs and how to call it. */
    record Endpoint(String name, String least, Function<RequestSpecification, Response> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("POST /v1/base-models", "publisher", s -> s.contentType(ContentType.JSON)
                    .body(Map.of("id", "roles-base", "architecture", "x", "checkpointLocation", "/x")).post("/v1/base-models")),
            new Endpoint("GET /v1/base-models", "reader", s -> s.get("/v1/base-models")),
            new Endpoint("GET /v1/base-models/{id}", "reader", s -> s.get("/v1/base-models/roles-base")),
            new Endpoint("POST /v1/adapters", "publisher", s -> s.contentType(ContentType.JSON)
                    .body(Map.of("name", A, "baseModel", "roles-base")).post("/v1/adapters")),
            new Endpoint("GET /v1/adapters", "reader", s -> s.get("/v1/adapters")),
            new Endpoint("GET /v1/adapters/{name}", "reader", s -> s.get("/v1/adapters/" + A)),
            new Endpoint("POST /v1/adapters/{name}/versions", "publisher", s -> s.multiPart("manifest", "{}", "application/json")
                    .multiPart("w.bin", "w.bin", "roles".getBytes(), "application/octet-stream").post("/v1/adapters/" + A + "/versions")),
            new Endpoint("GET /v1/adapters/{name}/versions", "reader", s -> s.get("/v1/adapters/" + A + "/versions")),
            new Endpoint("GET /v1/adapters/{name}/versions/{v}", "reader", s -> s.get("/v1/adapters/" + A + "/versions/1")),
            new Endpoint("GET /v1/adapters/{name}/versions/{v}/files/{file}", "reader",
                    s -> s.get("/v1/adapters/" + A + "/versions/1/files/w.bin")),
            // staging and other aliases: publisher (the tuning-worker) or ops; production: ops only
            new Endpoint("PUT /v1/adapters/{name}/aliases/staging", "publisher|ops", s -> s.contentType(ContentType.JSON)
                    .body(Map.of("version", 1)).put("/v1/adapters/" + A + "/aliases/staging")),
            new Endpoint("POST /v1/adapters/{name}/aliases/staging/rollback", "publisher|ops",
                    s -> s.post("/v1/adapters/" + A + "/aliases/staging/rollback")),
            new Endpoint("DELETE /v1/adapters/{name}/aliases/staging", "publisher|ops", s -> s.delete("/v1/adapters/" + A + "/aliases/staging")),
            new Endpoint("PUT /v1/adapters/{name}/aliases/production", "ops", s -> s.contentType(ContentType.JSON)
                    .body(Map.of("version", 1)).put("/v1/adapters/" + A + "/aliases/production")),
            new Endpoint("POST /v1/adapters/{name}/aliases/production/rollback", "ops",
                    s -> s.post("/v1/adapters/" + A + "/aliases/production/rollback")),
            new Endpoint("DELETE /v1/adapters/{name}/aliases/production", "ops", s -> s.delete("/v1/adapters/" + A + "/aliases/production")),
            new Endpoint("POST /v1/adapters/{name}/versions/{v}/archive", "ops",
                    s -> s.post("/v1/adapters/" + A + "/versions/99/archive")),
            new Endpoint("GET /v1/adapters/{name}/history", "reader", s -> s.get("/v1/adapters/" + A + "/history")));

    static final Map<String, String> CALLERS = new LinkedHashMap<>();

    static {
        CALLERS.put("no key", null);
        CALLERS.put("unknown key", "not-a-configured-key");
        CALLERS.put("reader", READER);
        CALLERS.put("publisher", PUBLISHER);
        CALLERS.put("ops", OPS);
        CALLERS.put("admin", ADMIN);
    }

    /** Whether {@code role} may call an endpoint needing {@code least}: admin all; ops and publisher imply reader. */
    static boolean allowed(String role, String least) {
        if (least.contains("|")) {
            return role.equals("admin") || java.util.Arrays.asList(least.split("\\|")).contains(role);
        }
        return role.equals(least) || role.equals("admin") || (least.equals("reader") && (role.equals("ops") || role.equals("publisher")));
    }

    static boolean ready;

    @BeforeEach
    void fixtures() {
        if (ready) {
            return;
        }
        ready = true;
        if (as(READER).get("/v1/adapters/" + A).statusCode() == 404) {
            Api.baseModel("roles-base");
            Api.adapter(A, "roles-base");
            as(ADMIN).multiPart("manifest", "{}", "application/json")
                    .multiPart("w.bin", "w.bin", "roles".getBytes(), "application/octet-stream")
                    .post("/v1/adapters/" + A + "/versions").then().statusCode(201);
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint e : ENDPOINTS) {
            for (String caller : CALLERS.keySet()) {
                cases.add(Arguments.of(e, caller));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void roleIsEnforced(Endpoint endpoint, String caller) {
        Response r = endpoint.call().apply(as(CALLERS.get(caller)));
        int status = r.statusCode();
        if (caller.equals("no key") || caller.equals("unknown key")) {
            assertThat(status).as(r.asString()).isEqualTo(401);
            assertThat(r.jsonPath().getString("error")).isEqualTo("unauthorized");
            assertThat(r.jsonPath().getString("message")).contains(caller.equals("no key") ? "missing API key" : "unknown API key");
            assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        } else if (allowed(caller, endpoint.least())) {
            assertThat(status).as("%s as %s: %s", endpoint, caller, r.asString()).isNotIn(401, 403).isLessThan(500);
        } else {
            assertThat(status).as(r.asString()).isEqualTo(403);
            assertThat(r.jsonPath().getString("error")).isEqualTo("forbidden");
            assertThat(r.jsonPath().getString("message")).contains("role '" + caller + "'")
                    .contains(endpoint.name().contains("/aliases/") ? "may not change alias" : "needs role '" + endpoint.least() + "'");
        }
    }
}
