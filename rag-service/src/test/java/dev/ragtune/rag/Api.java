package dev.ragtune.rag;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.List;
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

    /** Ingests text through the JSON form; returns the response. */
    public static Response ingestText(String id, String title, String text, Map<String, String> metadata) {
        Map<String, Object> body = new HashMap<>();
        if (id != null) {
            body.put("id", id);
        }
        if (title != null) {
            body.put("title", title);
        }
        body.put("text", text);
        if (metadata != null) {
            body.put("metadata", metadata);
        }
        return as(EmbeddedServices.INGEST).contentType(ContentType.JSON).body(body).post("/v1/documents");
    }

    /** Uploads a file (multipart part 'file'); id may be null. */
    public static Response upload(String id, String fileName, byte[] content, String contentType) {
        RequestSpecification s = as(EmbeddedServices.INGEST).multiPart("file", fileName, content, contentType);
        if (id != null) {
            s = s.multiPart("id", id);
        }
        return s.post("/v1/documents");
    }

    public static Response retrieve(String query, int topK, Map<String, String> filters, String mode) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", query);
        body.put("topK", topK);
        if (filters != null) {
            body.put("filters", filters);
        }
        if (mode != null) {
            body.put("mode", mode);
        }
        return as(EmbeddedServices.QUERY).contentType(ContentType.JSON).body(body).post("/v1/retrieve");
    }

    /** Document ids of the results, best first. */
    public static List<String> documentIds(String query, int topK, String mode) {
        return retrieve(query, topK, null, mode).then().statusCode(200).extract().jsonPath().getList("results.documentId", String.class);
    }

    /** Chunk ids of the results, best first. */
    public static List<String> chunkIds(String query, int topK, String mode) {
        return retrieve(query, topK, null, mode).then().statusCode(200).extract().jsonPath().getList("results.chunkId", String.class);
    }
}
