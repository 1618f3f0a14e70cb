package dev.ragtune.deploy;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonMappingException.Reference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.strimzi.api.kafka.model.bridge.KafkaBridge;
import io.strimzi.api.kafka.model.connect.KafkaConnect;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.mirrormaker2.KafkaMirrorMaker2;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.rebalance.KafkaRebalance;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;

/**
 * Strict deserialisation into the published Java models: fabric8's kind registry names the class of an
 * apiVersion/kind (the built-in kinds, the Prometheus Operator kinds of openshift-model-monitoring, and
 * Strimzi's io.strimzi:api kinds registered here), and {@link #read} fails on every field the class does
 * not have, on a value it cannot hold and on a value it silently drops.
 */
final class StrictModels {

    static final List<Class<? extends HasMetadata>> STRIMZI_KINDS = List.of(Kafka.class, KafkaNodePool.class,
            KafkaTopic.class, KafkaUser.class, KafkaConnect.class, KafkaConnector.class, KafkaMirrorMaker2.class,
            KafkaBridge.class, KafkaRebalance.class);
    private static final KubernetesSerialization KINDS = new KubernetesSerialization();

    static {
        STRIMZI_KINDS.forEach(KINDS::registerKubernetesResource);
    }

    /**
     * fabric8's and Strimzi's classes keep unknown fields in an {@code @JsonAnySetter additionalProperties} map,
     * so FAIL_ON_UNKNOWN_PROPERTIES alone accepts any misspelling (KubernetesManifestsTest shows it). This mapper
     * does not see any-setters, so Jackson fails on those fields (UnrecognizedPropertyException, with the path); and it
     * writes every property, defaults and nulls included (the models' @JsonInclude ignored), so that a round trip
     * shows what the model dropped.
     */
    private static final JsonMapper STRICT = JsonMapper.builder()
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return false;
                }

                @Override
                public JsonInclude.Value findPropertyInclusion(Annotated a) {
                    return JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS);
                }
            })
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_IGNORED_PROPERTIES,
                    DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .build();

    /** The model, null when the document cannot be read into it, and what is wrong. */
    record Read<T>(T model, List<String> problems) {}

    private StrictModels() {
    }

    /** The model class of an apiVersion/kind, or null when no published model has it. */
    static Class<? extends HasMetadata> modelOf(String apiVersion, String kind) {
        Class<?> c = KINDS.getRegisteredKubernetesResource(apiVersion, kind);
        return c != null && HasMetadata.class.isAssignableFrom(c) ? c.asSubclass(HasMetadata.class) : null;
    }

    /** Reads a tree into {@code type}: every unknown field, with its path and the class that lacks it, is a problem. */
    static <T> Read<T> read(JsonNode tree, Class<T> type) {
        return read(tree, type, "");
    }

    /** As {@link #read(JsonNode, Class)}, for a tree found at {@code root} of a larger document (paths start there). */
    static <T> Read<T> read(JsonNode tree, Class<T> type, String root) {
        List<String> problems = new ArrayList<>();
        JsonNode input = tree.deepCopy();
        while (true) {
            try {
                T model = STRICT.treeToValue(input, type);
                if (problems.isEmpty()) {
                    dropped(tree, STRICT.valueToTree(model), root, type, problems);
                }
                return new Read<>(model, problems);
            } catch (PropertyBindingException e) {
                // an unknown (or ignored) field: Jackson stops at the first; reported, removed, read again for the next
                problems.add("unknown field '" + path(root, e.getPath()) + "' (no property of " + e.getReferringClass().getName() + ")");
                if (!remove(input, e.getPath())) {
                    return new Read<>(null, problems);
                }
            } catch (JsonProcessingException e) {
                String at = e instanceof JsonMappingException m ? path(root, m.getPath()) : root;
                problems.add("does not match the " + type.getSimpleName() + " model" + (at.isEmpty() ? "" : " at '" + at + "'")
                        + ": " + ManifestValidator.firstLine(e.getOriginalMessage()));
                return new Read<>(null, problems);
            }
        }
    }

    private static boolean remove(JsonNode tree, List<Reference> path) {
        JsonNode parent = tree;
        for (Reference r : path.subList(0, path.size() - 1)) {
            parent = r.getFieldName() != null ? parent.get(r.getFieldName()) : parent.get(r.getIndex());
            if (parent == null) {
                return false;
            }
        }
        return parent instanceof ObjectNode o && o.remove(path.getLast().getFieldName()) != null;
    }

    /** A value the model could not represent (an unknown enum constant becomes null) does not come back when written. */
    private static void dropped(JsonNode in, JsonNode out, String path, Class<?> type, List<String> problems) {
        if (in.isNull()) {
            return;
        }
        if (out == null || out.isNull()) {
            problems.add("the " + type.getSimpleName() + " model does not understand the value of '" + path + "'");
        } else if (in.isObject()) {
            in.properties().forEach(e -> dropped(e.getValue(), out.get(e.getKey()), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), type, problems));
        } else if (in.isArray()) {
            for (int i = 0; i < in.size(); i++) {
                dropped(in.get(i), out.get(i), path + "[" + i + "]", type, problems);
            }
        }
    }

    /** "spec.containers[0].name" for the path of a Jackson exception. */
    private static String path(String root, List<Reference> path) {
        StringBuilder b = new StringBuilder(root);
        for (Reference r : path) {
            b.append(r.getFieldName() != null ? (b.isEmpty() ? "" : ".") + r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return b.toString();
    }
}
