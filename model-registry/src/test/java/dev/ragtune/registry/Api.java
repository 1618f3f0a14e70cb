package dev.ragtune.registry;

import static io.restassured.RestAssured.given;

import java.nio.file.Path;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Small REST helpers for the tests. */
public final class Api {

    private Api() {
    }

    public static RequestSpecification as(String key) {
        RequestSpecification s = given();
        return key == null ? s : s.header("Authorization", "Bearer " + key);
    }

    public static void baseModel(String id) {
        as(EmbeddedServices.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("id", id, "architecture", "LlamaForCausalLM", "checkpointLocation", "/models/" + id,
                        "sha256", "a".repeat(64)))
                .post("/v1/base-models").then().statusCode(201);
    }

    public static void adapter(String name, String baseModel) {
        as(EmbeddedServices.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", name, "baseModel", baseModel, "description", "test adapter", "tags", Map.of("team", "qa")))
                .post("/v1/adapters").then().statusCode(201);
    }

    /** Uploads a version with one small file and the given manifest; returns the response. */
    public static Response upload(String key, String adapter, String manifest, String fileName, byte[] content) {
        RequestSpecification s = as(key).multiPart("manifest", manifest, "application/json");
        return s.multiPart(fileName, fileName, content, "application/octet-stream")
                .post("/v1/adapters/" + adapter + "/versions");
    }

    public static Response upload(String key, String adapter, String manifest, String fileName, Path file) {
        return as(key).multiPart("manifest", manifest, "application/json")
                .multiPart(fileName, file.toFile(), "application/octet-stream")
                .post("/v1/adapters/" + adapter + "/versions");
    }

    public static int version(String adapter, String manifest) {
        return upload(EmbeddedServices.ADMIN, adapter, manifest, "adapter_model.safetensors",
                ("weights of " + adapter + " " + manifest).getBytes())
                .then().statusCode(201).extract().path("version");
    }

    public static Response setAlias(String adapter, String alias, Map<String, Object> body) {
        return as(EmbeddedServices.OPS).contentType(ContentType.JSON).body(body).put("/v1/adapters/" + adapter + "/aliases/" + alias);
    }
}
