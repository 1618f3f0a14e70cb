package dev.ragtune.rag.security;

import static dev.ragtune.rag.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ragtune.rag.EmbeddedServices;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** query may retrieve, ingest may manage documents, admin may do both; no key 401, wrong role 403. */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RolesTest {

    @Test
    void rolesAreEnforced() {
        Map<String, Object> query = Map.of("query", "anything", "topK", 3);
        as(null).contentType(ContentType.JSON).body(query).post("/v1/retrieve").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer")).body("error", equalTo("unauthorized"));
        as("not-a-key").contentType(ContentType.JSON).body(query).post("/v1/retrieve").then().statusCode(401);
        as(EmbeddedServices.INGEST).contentType(ContentType.JSON).body(query).post("/v1/retrieve").then().statusCode(403)
                .body("error", equalTo("forbidden")).body("message", containsString("query"));
        as(EmbeddedServices.QUERY).contentType(ContentType.JSON).body(query).post("/v1/retrieve").then().statusCode(200);
        as(EmbeddedServices.ADMIN).contentType(ContentType.JSON).body(query).post("/v1/retrieve").then().statusCode(200);
        as(null).get("/q/metrics").then().statusCode(200).body(containsString("ragtune_rag_retrieve_seconds_count"));

        Map<String, Object> doc = Map.of("id", "roles-doc", "text", "Role test text.");
        as(EmbeddedServices.QUERY).contentType(ContentType.JSON).body(doc).post("/v1/documents").then().statusCode(403);
        as(EmbeddedServices.QUERY).get("/v1/documents").then().statusCode(403);
        as(EmbeddedServices.QUERY).post("/v1/admin/reindex").then().statusCode(403);
        as(EmbeddedServices.ADMIN).contentType(ContentType.JSON).body(doc).post("/v1/documents").then().statusCode(201);
    }

    @Test
    void badRetrieveRequestsAreClear() {
        as(EmbeddedServices.QUERY).contentType(ContentType.JSON).body(Map.of("topK", 3)).post("/v1/retrieve").then().statusCode(400)
                .body("message", containsString("query"));
        as(EmbeddedServices.QUERY).contentType(ContentType.JSON).body(Map.of("query", "x", "topK", 0)).post("/v1/retrieve").then()
                .statusCode(400).body("message", containsString("topK"));
        as(EmbeddedServices.QUERY).contentType(ContentType.JSON).body(Map.of("query", "x", "mode", "fuzzy")).post("/v1/retrieve").then()
                .statusCode(400).body("message", containsString("hybrid, bm25 or vector"));
        as(EmbeddedServices.QUERY).contentType(ContentType.JSON).body("{not json").post("/v1/retrieve").then().statusCode(400)
                .body("error", equalTo("bad_request"));
    }
}
