package dev.ragtune.tuning.records;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

import dev.ragtune.common.records.RecordLimits;
import dev.ragtune.common.records.RecordValidator;
import dev.ragtune.model.base.BaseModel;
import dev.ragtune.tuning.basemodel.WorkerBaseModel;
import dev.ragtune.tuning.config.WorkerConfig;
import dev.ragtune.tuning.metrics.WorkerMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Wires the records pipeline at start-up: the validator (with the tokenizer of the worker's base model, which the jobs
 * share: {@link WorkerBaseModel}), the DLQ producer, and
 * the consumer thread on {@code ragtune.worker.kafka.records-topic}; stops them gracefully at shutdown.
 */
@ApplicationScoped
public class RecordsPipeline {

    private static final Logger LOG = Logger.getLogger(RecordsPipeline.class);

    @Inject
    WorkerConfig config;

    @Inject
    RecordStore store;

    @Inject
    WorkerMetrics metrics;

    @Inject
    WorkerBaseModel baseModel;

    private BaseModel base;
    private RecordValidator validator;
    private DeadLetterPublisher deadLetters;
    private RecordConsumerLoop loop;

    void start(@Observes StartupEvent event) {
        base = baseModel.acquire();
        validator = new RecordValidator(new RecordLimits(config.records().maxRecordBytes(), config.maxSeqLen()),
                base.tokenizer()::countTrainingTokens);
        Properties producer = DeadLetterPublisher.producerProperties(config.kafka().bootstrapServers(), config.kafka().deliveryTimeout());
        producer.putAll(config.kafka().producer());
        deadLetters = DeadLetterPublisher.create(producer, config.kafka().dlqTopic(), config.kafka().deliveryTimeout());
        if (config.kafka().consumerEnabled()) {
            loop = newLoop(consumerProperties(config.kafka().groupId()), config.kafka().recordsTopic(), RecordConsumerLoop.SYNC);
            Thread t = new Thread(loop, "ragtune-records-consumer");
            t.setDaemon(true);
            t.start();
            LOG.infof("consuming %s as group %s from %s", config.kafka().recordsTopic(), config.kafka().groupId(),
                    config.kafka().bootstrapServers());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null && !loop.stop(Duration.ofSeconds(30))) {
            LOG.warn("the records consumer did not stop within 30 s");
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
        if (base != null) {
            base.close();
        }
    }

    /** Consumer properties of the records consumer, for the given group. */
    public Properties consumerProperties(String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.kafka().maxPollRecords());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.putAll(config.kafka().consumer());
        return p;
    }

    /** A consumer loop over {@code topic} with this pipeline's validator, DLQ and store (not started). */
    public RecordConsumerLoop newLoop(Properties consumerProperties, String topic, RecordConsumerLoop.OffsetCommitter committer) {
        return new RecordConsumerLoop(new KafkaConsumer<>(consumerProperties), topic, handler(), metrics,
                config.kafka().pollTimeout(), config.kafka().maxBackoff(), committer);
    }

    public RecordBatchHandler handler() {
        return new RecordBatchHandler(validator, deadLetters, store, metrics);
    }

    public RecordValidator validator() {
        return validator;
    }

    /** The running consumer, if this instance consumes. */
    public Optional<RecordConsumerLoop> consumer() {
        return Optional.ofNullable(loop);
    }
}
