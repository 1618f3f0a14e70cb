package dev.ragtune.rag.feedback;

import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.ragtune.rag.config.GenerationConfig;
import dev.ragtune.rag.config.RagConfig;
import dev.ragtune.common.errors.ApiException;

/**
 * Produces training records to Kafka {@code training-records} (key = record id), idempotent and
 * {@code acks=all}, waiting for the acknowledgement so that an accepted feedback's record is never lost.
 */
@ApplicationScoped
public class TrainingRecordPublisher {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(TrainingRecordPublisher.class);

    @Inject
    GenerationConfig config;

    @Inject
    RagConfig ragConfig;

    private volatile KafkaProducer<String, String> producer;

    private KafkaProducer<String, String> producer() {
        KafkaProducer<String, String> p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    Properties props = new Properties();
                    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ragConfig.kafka().bootstrapServers());
                    props.put(ProducerConfig.ACKS_CONFIG, "all");
                    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
                    props.put(ProducerConfig.CLIENT_ID_CONFIG, "rag-service-feedback");
                    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.feedback().sendTimeout().toMillis());
                    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms
                    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
                    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, config.feedback().sendTimeout().toMillis() / 2));
                    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.feedback().sendTimeout().toMillis());
                    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                    props.putAll(config.feedback().producer());
                    producer = new KafkaProducer<>(props);
                }
                p = producer;
            }
        }
        return p;
    }

    public String topic() {
        return config.feedback().topic();
    }

    /** Sends and waits for Kafka's acknowledgement; 503 when Kafka does not acknowledge in time. */
    public void publish(String key, String value) {
        try {
            producer().send(new ProducerRecord<>(topic(), key, value))
                    .get(config.feedback().sendTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.errorf(cause, "training record %s not accepted by Kafka", key);
            throw new ApiException(503, "unavailable", "Kafka did not accept the training record on " + topic()
                    + " (" + cause.getMessage() + "); the feedback was not stored, send it again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "interrupted while sending the training record");
        }
    }

    @PreDestroy
    void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }
}
