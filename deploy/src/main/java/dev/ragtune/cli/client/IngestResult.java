package dev.ragtune.cli.client;

/** rag-service {@code POST /v1/documents}: {@code changed} false when the same content was already stored under the id. */
public record IngestResult(String id, String title, String contentType, String contentHash, int chunks, int revision, boolean created,
                           boolean changed) {
}
