package dev.ragtune.rag.feedback;

/** Body of {@code POST /v1/feedback}. */
public record FeedbackRequest(String queryId, String rating, String correction) {
}
