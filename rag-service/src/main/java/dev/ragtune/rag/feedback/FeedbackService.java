package dev.ragtune.rag.feedback;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ragtune.common.records.RecordLimits;
import dev.ragtune.common.records.RecordValidator;
import dev.ragtune.common.records.TokenCounter;
import dev.ragtune.common.records.TrainingRecord;
import dev.ragtune.common.records.ValidationResult;
import dev.ragtune.common.records.ChatMessage;
import dev.ragtune.model.generate.ServingModel;
import dev.ragtune.rag.chat.ChatCompletionResource;
import dev.ragtune.rag.config.GenerationConfig;
import dev.ragtune.rag.query.QueryStore;
import dev.ragtune.rag.query.StoredQuery;
import dev.ragtune.common.errors.ApiException;

/**
 * Feedback on an answer. {@code up} makes the answer a training record, {@code down} with a
 * correction makes the correction one, {@code down} without a correction is stored only. The
 * record goes to Kafka for the adapter that answered, in the same transaction as the feedback row:
 * if Kafka does not acknowledge, nothing is stored and the caller gets 503.
 */
@ApplicationScoped
public class FeedbackService {

    @Inject
    QueryStore queries;

    @Inject
    DataSource dataSource;

    @Inject
    TrainingRecordPublisher publisher;

    @Inject
    GenerationConfig config;

    @Inject
    ObjectMapper json;

    /** The served model's chat template counts a record's tokens; absent (no model): not counted. */
    @Inject
    Optional<ServingModel> model;

    @Transactional
    public FeedbackResponse submit(FeedbackRequest request) {
        if (request == null) {
            throw ApiException.badRequest("request body is required: {\"queryId\": \"…\", \"rating\": \"up\"|\"down\"}");
        }
        UUID queryId = parseQueryId(request.queryId());
        String rating = request.rating();
        if (!"up".equals(rating) && !"down".equals(rating)) {
            throw ApiException.badRequest("rating must be \"up\" or \"down\", got " + (rating == null ? "nothing" : "\"" + rating + "\""));
        }
        String correction = request.correction() == null || request.correction().isBlank() ? null : request.correction().strip();
        StoredQuery q = queries.find(queryId)
                .orElseThrow(() -> ApiException.notFound("query '" + request.queryId() + "' not found: use the id of a /v1/query"
                        + " or /v1/chat/completions answer"));
        UUID feedbackId = UUID.randomUUID();
        String assistant = correction != null ? correction : "up".equals(rating) ? q.answer() : null;
        String adapter = q.adapter() != null ? q.adapter() : config.feedback().baseAdapter().orElse(null);
        FeedbackResponse.TrainingRecordRef ref = null;
        String recordJson = null;
        String message;
        if (assistant == null) {
            message = "feedback stored; a \"down\" rating without a correction produces no training record";
        } else if (adapter == null) {
            message = "feedback stored; the base model answered and ragtune.rag.feedback.base-adapter is not set,"
                    + " so no training record was produced";
        } else {
            String recordId = "feedback-" + feedbackId;
            TrainingRecord record = record(recordId, adapter, q, assistant, rating);
            recordJson = record.toJsonString();
            // the same validation the tuning worker applies: a record it would reject is not sent
            ValidationResult checked = validator().validate(recordId.getBytes(StandardCharsets.UTF_8),
                    recordJson.getBytes(StandardCharsets.UTF_8));
            if (checked instanceof ValidationResult.Invalid invalid) {
                recordJson = null;
                message = "feedback stored; no training record: it would be rejected (" + invalid.rejection().code() + ": "
                        + invalid.rejection().message() + ")";
            } else {
                ref = new FeedbackResponse.TrainingRecordRef(recordId, adapter, publisher.topic());
                message = "feedback stored; training record " + recordId + " sent to " + publisher.topic() + " for adapter " + adapter;
            }
        }
        insert(feedbackId, queryId, rating, correction, ref);
        if (ref != null) {
            publisher.publish(ref.id(), recordJson);
        }
        return new FeedbackResponse(feedbackId.toString(), queryId.toString(), rating, ref, message);
    }

    private RecordValidator validator() {
        TokenCounter tokens = model.<TokenCounter>map(m -> messages -> m.tokenizer().encodeForTraining(messages).length())
                .orElse(TokenCounter.NONE);
        return new RecordValidator(RecordLimits.defaults(), tokens);
    }

    /** The training record (contract {@code TrainingRecord}: system?, user question, assistant answer or correction). */
    TrainingRecord record(String id, String adapter, StoredQuery q, String assistant, String rating) {
        List<ChatMessage> messages = new ArrayList<>();
        if (q.systemPrompt() != null && !q.systemPrompt().isBlank()) {
            messages.add(ChatMessage.system(q.systemPrompt()));
        }
        messages.add(ChatMessage.user(q.question()));
        messages.add(ChatMessage.assistant(assistant));
        ObjectNode meta = json.createObjectNode();
        meta.put("source", "feedback");
        meta.put("queryId", q.id().toString());
        meta.put("rating", rating);
        if (q.adapterVersion() == null) {
            meta.putNull("adapterVersion");
        } else {
            meta.put("adapterVersion", q.adapterVersion());
        }
        meta.put("corrected", !assistant.equals(q.answer()));
        return new TrainingRecord(id, adapter, messages, meta);
    }

    private void insert(UUID id, UUID queryId, String rating, String correction, FeedbackResponse.TrainingRecordRef ref) {
        String sql = "INSERT INTO rag_feedback (id, query_id, rating, correction, training_record_id, training_adapter) VALUES (?, ?, ?, ?, ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            ps.setObject(2, queryId);
            ps.setString(3, rating);
            ps.setString(4, correction);
            ps.setString(5, ref == null ? null : ref.id());
            ps.setString(6, ref == null ? null : ref.adapter());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store feedback: " + e.getMessage(), e);
        }
    }

    static UUID parseQueryId(String s) {
        if (s == null || s.isBlank()) {
            throw ApiException.badRequest("queryId is required");
        }
        String v = s.startsWith(ChatCompletionResource.ID_PREFIX) ? s.substring(ChatCompletionResource.ID_PREFIX.length()) : s;
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("query '" + s + "' not found: query ids are UUIDs (or chatcmpl-<uuid>)");
        }
    }
}
