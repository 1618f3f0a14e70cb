package dev.ragtune.rag.answer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ragtune.rag.EmbeddedServices;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The service without {@code ragtune.rag.model.dir} (the retrieval tests' stack): it starts, retrieval works, the
 * answer endpoints say clearly that no model is configured, and only {@code base} is listed.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class WithoutModelTest {

    @Test
    void answerEndpointsAnswer503NamingTheMissingSetting() {
        given().header("Authorization", "Bearer " + EmbeddedServices.QUERY).contentType(ContentType.JSON)
                .body(Map.of("question", "anything")).post("/v1/query")
                .then().statusCode(503).body("error", equalTo("unavailable")).body("message", containsString("ragtune.rag.model.dir"));
        given().header("Authorization", "Bearer " + EmbeddedServices.QUERY).contentType(ContentType.JSON)
                .body(Map.of("model", "base", "messages", List.of(Map.of("role", "user", "content", "hi"))))
                .post("/v1/chat/completions")
                .then().statusCode(503).body("error.type", equalTo("server_error")).body("error.message", containsString("RAGTUNE_MODEL_DIR"));
        given().header("Authorization", "Bearer " + EmbeddedServices.QUERY).get("/v1/models")
                .then().statusCode(200).body("data.id", equalTo(List.of("base")));
        given().get("/q/health/ready").then().statusCode(200);
    }
}
