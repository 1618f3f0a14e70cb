package dev.ragtune.rag.feedback;

/**
 * @param trainingRecord the record produced to Kafka; null when none was (the message says why)
 */
public record FeedbackResponse(String id, String queryId, String rating, TrainingRecordRef trainingRecord, String message) {

    public record TrainingRecordRef(String id, String adapter, String topic) {
    }
}
