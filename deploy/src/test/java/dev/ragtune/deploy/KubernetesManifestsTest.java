package dev.ragtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePoolSpec;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopicSpec;

/**
 * The production manifests under deploy/kubernetes and the images under deploy/docker, validated by
 * {@link ManifestValidator} and {@link DockerImageValidator}; every check is also shown to fail on a
 * manifest or Dockerfile broken on purpose.
 *
 * <p>Run: {@code ./mvnw -B -ntp -pl deploy -am verify -Dtest='KubernetesManifests*' -Dsurefire.failIfNoSpecifiedTests=false}
 */
class KubernetesManifestsTest {

    static final Path REPO = findRepo();
    static final Path KUBE = REPO.resolve("deploy/kubernetes");
    static final List<String> MODULES = List.of("model-registry", "rag-service", "tuning-worker");

    static ManifestValidator.Result manifests;

    @TempDir
    Path tmp;

    static Path findRepo() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("deploy/kubernetes/kustomization.yaml"))) {
                return p;
            }
        }
        throw new IllegalStateException("deploy/kubernetes/kustomization.yaml not found above " + Path.of("").toAbsolutePath());
    }

    @BeforeAll
    static void validateRepository() {
        manifests = ManifestValidator.validate(KUBE, REPO);
    }

    // ------------------------------------------------------------------ the repository's manifests

    @Test
    void everyManifestParsesDeserialisesAndFitsTogether() {
        assertThat(manifests.problems()).as("problems in deploy/kubernetes").isEmpty();
    }

    @Test
    void theManifestsDeclareThePlatform() {
        // not vacuous: the validator saw every resource the platform needs, typed where a model exists
        assertThat(manifests.count("Namespace")).isEqualTo(1);
        assertThat(manifests.count("Deployment")).isEqualTo(3);
        assertThat(manifests.count("Service")).isEqualTo(3);
        assertThat(manifests.count("HorizontalPodAutoscaler")).isEqualTo(1);
        assertThat(manifests.count("Kafka")).isEqualTo(1);
        assertThat(manifests.count("KafkaNodePool")).isGreaterThanOrEqualTo(1);
        assertThat(manifests.count("Cluster")).isEqualTo(1);
        assertThat(manifests.count("Database")).isEqualTo(2);
        assertThat(manifests.count("PrometheusRule")).isEqualTo(1);
        long untyped = manifests.docs().stream().filter(d -> ManifestValidator.UNTYPED.contains(d.key())).count();
        assertThat(manifests.typed()).hasSize(manifests.docs().size() - (int) untyped);

        assertThat(OperatorRules.topicNames(manifests))
                .containsExactlyInAnyOrder("training-records", "training-records.dlq", "adapter-events");

        Map<String, Integer> ports = manifests.all(Deployment.class).stream().collect(Collectors.toMap(
                d -> d.getMetadata().getName(),
                d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getContainerPort()));
        assertThat(ports).containsExactlyInAnyOrderEntriesOf(Map.of("model-registry", 8081, "rag-service", 8080, "tuning-worker", 8082));

        HorizontalPodAutoscaler hpa = manifests.all(HorizontalPodAutoscaler.class).get(0);
        assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("rag-service");
        assertThat(hpa.getSpec().getMetrics().get(0).getResource().getName()).isEqualTo("cpu");

        Container worker = container("tuning-worker");
        assertThat(worker.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(worker.getEnv()).extracting("name").contains("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR");

        Kafka kafka = manifests.all(Kafka.class).get(0);
        assertThat(kafka.getApiVersion()).isEqualTo("kafka.strimzi.io/v1");
        assertThat(manifests.all(KafkaNodePool.class)).flatExtracting(p -> p.getSpec().getRoles())
                .contains(ProcessRoles.CONTROLLER, ProcessRoles.BROKER);

        String rules = manifests.all(PrometheusRule.class).get(0).getSpec().getGroups().stream()
                .flatMap(g -> g.getRules().stream()).map(r -> r.getExpr().toString()).collect(Collectors.joining("\n"));
        assertThat(rules).contains("ragtune_registry_outbox_pending", "ragtune_registry_outbox_lag_seconds",
                "ragtune_registry_outbox_failures_total", "kafka_consumergroup_lag", "training-records.dlq");
    }

    static Container container(String deployment) {
        return manifests.all(Deployment.class).stream().filter(d -> d.getMetadata().getName().equals(deployment))
                .findFirst().orElseThrow().getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"model-registry", "rag-service", "tuning-worker"})
    void theImageStartsWhatTheModuleBuilds(String module) {
        var r = DockerImageValidator.validate(REPO, module, manifests);
        r.notes().forEach(n -> System.out.println("[KubernetesManifestsTest] " + n));
        assertThat(r.problems()).as("problems in deploy/docker/" + module).isEmpty();
    }

    @Test
    void theModelRegistryPomBuildsAQuarkusApp() {
        assertThat(DockerImageValidator.buildsQuarkusApp(REPO.resolve("model-registry/pom.xml"))).isTrue();
        assertThat(DockerImageValidator.buildsQuarkusApp(REPO.resolve("common/pom.xml"))).isFalse();
    }

    // ------------------------------------------------------------------ each check can fail

    /** {description, file, text to replace (must occur exactly once), replacement, expected problem fragment} */
    static Stream<Arguments> brokenManifests() {
        return Stream.of(
                Arguments.of("misspelled Deployment field", "rag-service/deployment.yaml",
                        "containerPort: 8080", "containerPrt: 8080",
                        "unknown field 'spec.template.spec.containers[0].ports[0].containerPrt'"),
                Arguments.of("Deployment selector does not match its pods", "model-registry/deployment.yaml",
                        "matchLabels:\n      app.kubernetes.io/name: model-registry", "matchLabels:\n      app.kubernetes.io/name: model-registri",
                        "spec.selector {app.kubernetes.io/name=model-registri} does not match the pod template labels"),
                Arguments.of("Service selects no pod", "rag-service/service.yaml",
                        "selector:\n    app.kubernetes.io/name: rag-service", "selector:\n    app.kubernetes.io/name: rag-servic",
                        "selector {app.kubernetes.io/name=rag-servic} matches no pod template"),
                Arguments.of("probe port not on the container", "model-registry/deployment.yaml",
                        "- name: http\n              containerPort: 8081", "- name: web\n              containerPort: 8081",
                        "readinessProbe port 'http' is not a port of the container"),
                Arguments.of("probe missing", "model-registry/deployment.yaml",
                        "readinessProbe:", "readinesProbe:",
                        "container 'model-registry': readinessProbe is missing"),
                Arguments.of("probe on the wrong health endpoint", "tuning-worker/deployment.yaml",
                        "path: /q/health/ready", "path: /q/health/live",
                        "readinessProbe path '/q/health/live' must be /q/health/ready"),
                Arguments.of("ConfigMap that does not exist", "tuning-worker/deployment.yaml",
                        "name: tuning-worker-config", "name: tuning-worker-conf",
                        "envFrom references ConfigMap 'tuning-worker-conf' which is not in the manifests"),
                Arguments.of("Secret key that does not exist", "rag-service/deployment.yaml",
                        "key: rag-service-registry-key", "key: rag-service-registry-kye",
                        "references key 'rag-service-registry-kye' missing from Secret 'ragtune-service-credentials'"),
                Arguments.of("Secret volume that does not exist", "rag-service/deployment.yaml",
                        "secretName: rag-service-api-keys", "secretName: rag-api-keys",
                        "references Secret 'rag-api-keys' which is not in the manifests"),
                Arguments.of("PVC that does not exist", "model-registry/deployment.yaml",
                        "claimName: model-registry-blobs", "claimName: model-registry-blob",
                        "references PersistentVolumeClaim 'model-registry-blob' which is not in the manifests"),
                Arguments.of("volumeMount of no volume", "model-registry/deployment.yaml",
                        "- name: tmp\n              mountPath: /tmp", "- name: temp\n              mountPath: /tmp",
                        "volumeMount 'temp' names no volume of the pod"),
                Arguments.of("read-only root file system without a writable /tmp", "model-registry/deployment.yaml",
                        "- name: tmp\n              mountPath: /tmp", "- name: tmp\n              mountPath: /scratch",
                        "read-only root file system but no volume mounted at /tmp"),
                Arguments.of("HPA targets a Deployment that does not exist", "rag-service/hpa.yaml",
                        "kind: Deployment\n    name: rag-service", "kind: Deployment\n    name: rag",
                        "scaleTargetRef Deployment/rag is not in the manifests"),
                Arguments.of("HPA in an API version without a model here", "rag-service/hpa.yaml",
                        "apiVersion: autoscaling/v2", "apiVersion: autoscaling/v3",
                        "no model for apiVersion 'autoscaling/v3' kind 'HorizontalPodAutoscaler'"),
                Arguments.of("HPA target also sets replicas", "rag-service/deployment.yaml",
                        "spec:\n  # no \"replicas\"", "spec:\n  replicas: 2\n  # no \"replicas\"",
                        "sets spec.replicas although HorizontalPodAutoscaler/rag-service owns the count"),
                Arguments.of("HPA on CPU without a CPU request", "rag-service/deployment.yaml",
                        "requests:\n              cpu: \"2\"\n", "requests:\n",
                        "scales on cpu utilisation but container 'rag-service' of rag-service has no cpu request"),
                Arguments.of("GPU pod without the GPU toleration", "tuning-worker/deployment.yaml",
                        "        - key: nvidia.com/gpu\n          operator: Exists\n          effect: NoSchedule\n",
                        "        - key: dedicated\n          operator: Exists\n          effect: NoSchedule\n",
                        "does not tolerate the nvidia.com/gpu taint"),
                Arguments.of("misspelled KafkaTopic field", "kafka/topics.yaml",
                        "  partitions: 12", "  partition: 12",
                        "unknown field 'spec.partition'"),
                Arguments.of("unknown Strimzi listener type", "kafka/kafka.yaml",
                        "type: internal\n        tls: false", "type: internl\n        tls: false",
                        "the Kafka model does not understand the value of 'spec.kafka.listeners[0].type'"),
                Arguments.of("node pool bound to another Kafka", "kafka/kafka.yaml",
                        "strimzi.io/cluster: ragtune\nspec:\n  replicas: 3", "strimzi.io/cluster: ragtun\nspec:\n  replicas: 3",
                        "KRaft needs KafkaNodePools (label strimzi.io/cluster: ragtune) with at least one controller and one broker"),
                Arguments.of("more topic replicas than brokers", "kafka/kafka.yaml",
                        "  replicas: 3\n  roles:", "  replicas: 2\n  roles:",
                        "3 replicas but Kafka 'ragtune' has only 2 brokers"),
                Arguments.of("misspelled CloudNativePG field", "postgres/cluster.yaml",
                        "  instances: 3", "  instance: 3",
                        "unknown field 'spec.instance'"),
                Arguments.of("Database owned by an undeclared role", "postgres/cluster.yaml",
                        "  owner: rag\n", "  owner: rags\n",
                        "owner 'rags' is not a role of Cluster 'ragtune-pg'"),
                Arguments.of("service points at a database nobody creates", "rag-service/configmap.yaml",
                        "5432/rag", "5432/ragdb",
                        "names database 'ragdb' which Cluster 'ragtune-pg' does not create"),
                Arguments.of("service logs in as a role that does not own its database", "secrets.yaml",
                        "username: worker", "username: workers",
                        "RAGTUNE_WORKER_DB_USER is 'workers' but database 'worker' is owned by 'worker'"),
                Arguments.of("Kafka bootstrap on the TLS listener", "model-registry/configmap.yaml",
                        "svc:9092", "svc:9093",
                        "RAGTUNE_KAFKA_BOOTSTRAP port 9093 is not a plain (non-TLS) listener"),
                Arguments.of("registry URL with a wrong port", "tuning-worker/configmap.yaml",
                        "model-registry.ragtune.svc:8081", "model-registry.ragtune.svc:8080",
                        "RAGTUNE_WORKER_REGISTRY_URL port 8080 is not a port of Service/model-registry"),
                Arguments.of("ServiceMonitor on a port no Service has", "monitoring/servicemonitor.yaml",
                        "    - port: http\n      path: /q/metrics", "    - port: metrics\n      path: /q/metrics",
                        "endpoint port 'metrics' is not a named port"),
                Arguments.of("broken PromQL", "monitoring/prometheusrule.yaml",
                        "max(ragtune_registry_outbox_pending{namespace=\"ragtune\"}) > 100",
                        "max(ragtune_registry_outbox_pending{namespace=\"ragtune\"} > 100",
                        "rule RagtuneRegistryOutboxBacklog has unbalanced brackets"),
                Arguments.of("manifest not listed in the kustomization", "kustomization.yaml",
                        "  - rag-service/pdb.yaml\n", "",
                        "does not list 'rag-service/pdb.yaml'"),
                Arguments.of("wrong namespace", "rag-service/pdb.yaml",
                        "namespace: ragtune", "namespace: default",
                        "metadata.namespace must be 'ragtune'"),
                // the services' configuration: names the manifests give a service must be names it reads
                Arguments.of("env var the service does not read (the old registry key name)", "rag-service/deployment.yaml",
                        "- name: RAGTUNE_RAG_REGISTRY_KEY", "- name: RAGTUNE_RAG_REGISTRY_API_KEY",
                        "rag-service/deployment.yaml Deployment/rag-service container 'rag-service': env RAGTUNE_RAG_REGISTRY_API_KEY is not read by rag-service"),
                Arguments.of("consumer group under a name the service does not have", "rag-service/deployment.yaml",
                        "- name: RAGTUNE_RAG_ADAPTERS_GROUP_PREFIX", "- name: RAGTUNE_RAG_KAFKA_GROUP_ID",
                        "env RAGTUNE_RAG_KAFKA_GROUP_ID is not read by rag-service"),
                Arguments.of("ConfigMap key (envFrom) the service does not read", "rag-service/configmap.yaml",
                        "RAGTUNE_RAG_MODEL_CACHE_DIR:", "RAGTUNE_RAG_CACHE_DIR:",
                        "env RAGTUNE_RAG_CACHE_DIR (key of ConfigMap rag-service-config in rag-service/configmap.yaml, envFrom) is not read by rag-service"),
                Arguments.of("setting whose default is a path under the read-only /deployments left unset", "rag-service/configmap.yaml",
                        "  RAGTUNE_RAG_ADAPTERS_CACHE_DIR: /var/lib/ragtune/cache/adapters\n", "",
                        "container 'rag-service': ragtune.rag.adapters.cache-dir is not set and its default '.ragtune/rag/adapters' works only on a developer's machine"),
                Arguments.of("setting whose default is localhost left unset", "tuning-worker/configmap.yaml",
                        "  RAGTUNE_WORKER_REGISTRY_URL: http://model-registry.ragtune.svc:8081\n", "",
                        "ragtune.worker.registry.url is not set and its default '${RAGTUNE_WORKER_REGISTRY_URL:http://localhost:8081}' works only on a developer's machine"
                                + " (a .ragtune/ path under the read-only /deployments, or localhost): set env RAGTUNE_WORKER_REGISTRY_URL"),
                Arguments.of("misspelled ConfigMap key gets a suggestion", "tuning-worker/configmap.yaml",
                        "RAGTUNE_WORKER_WORK_DIR:", "RAGTUNE_WORKER_WORKDIR:",
                        "env RAGTUNE_WORKER_WORKDIR (key of ConfigMap tuning-worker-config in tuning-worker/configmap.yaml, envFrom) is not read by tuning-worker"),
                Arguments.of("Quarkus env var the service does not declare", "model-registry/configmap.yaml",
                        "RAGTUNE_REGISTRY_UPLOADS_DIR:", "QUARKUS_HTTP_BODY_UPLOAD_DIRECTORY:",
                        "env QUARKUS_HTTP_BODY_UPLOAD_DIRECTORY (key of ConfigMap model-registry-config in model-registry/configmap.yaml, envFrom) is not read by model-registry"),
                Arguments.of("API key file with a property the service does not read", "secrets.yaml",
                        "ragtune.worker.api-keys.\"REPLACE_ME-worker-ops-key\"", "ragtune.worker.apikeys.\"REPLACE_ME-worker-ops-key\"",
                        "container 'tuning-worker': property 'ragtune.worker.apikeys.\"REPLACE_ME-worker-ops-key\"' (Secret tuning-worker-api-keys in secrets.yaml,"
                                + " mounted as /deployments/config/application.properties) is not read by tuning-worker"),
                Arguments.of("invalid YAML", "namespace.yaml",
                        "  name: ragtune\n", "  name: ragtune\n  bad: [unclosed\n",
                        "namespace.yaml: does not parse as YAML"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenManifests")
    void theValidatorRejects(String description, String file, String from, String to, String expected) throws IOException {
        assertThat(manifests.problems()).as("the unbroken manifests must not have this problem").noneMatch(p -> p.contains(expected));
        Path dir = copy(KUBE, tmp.resolve("kubernetes"));
        replaceOnce(dir.resolve(file), from, to);
        var r = ManifestValidator.validate(dir, REPO);
        assertThat(r.problems()).as(description).anyMatch(p -> p.contains(expected));
    }

    // ------------------------------------------------------------------ strict schemas: one misspelled field each

    /** The problems of a copy of the manifests with one text of one file replaced. */
    private List<String> problemsWith(String file, String from, String to) throws IOException {
        Path dir = copy(KUBE, tmp.resolve("kubernetes"));
        replaceOnce(dir.resolve(file), from, to);
        return ManifestValidator.validate(dir, REPO).problems();
    }

    @Test
    void fabric8AndStrimziModelsKeepUnknownFieldsUnlessReadByStrictModels() throws IOException {
        // FAIL_ON_UNKNOWN_PROPERTIES alone does not fail: the models' @JsonAnySetter takes the field
        var plain = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        JsonNode port = plain.readTree("{\"name\": \"http\", \"containerPrt\": 8080}");
        JsonNode topic = plain.readTree("{\"partition\": 12, \"replicas\": 3}");
        assertThat(plain.treeToValue(port, ContainerPort.class).getAdditionalProperties()).containsOnlyKeys("containerPrt");
        assertThat(plain.treeToValue(topic, KafkaTopicSpec.class).getAdditionalProperties()).containsOnlyKeys("partition");

        assertThat(StrictModels.read(port, ContainerPort.class).problems())
                .containsExactly("unknown field 'containerPrt' (no property of io.fabric8.kubernetes.api.model.ContainerPort)");
        assertThat(StrictModels.read(topic, KafkaTopicSpec.class).problems())
                .containsExactly("unknown field 'partition' (no property of io.strimzi.api.kafka.model.topic.KafkaTopicSpec)");
        assertThat(StrictModels.read(plain.readTree("{\"name\": \"http\", \"containerPort\": 8080}"), ContainerPort.class).problems()).isEmpty();
        // every unknown field of a document, each with its path, also behind Strimzi's polymorphic storage (type last)
        JsonNode pool = plain.readTree("""
                {"replicas": 3, "roles": ["broker"], "rols": [],
                 "storage": {"volumes": [{"id": 0, "size": "1Gi", "deleteClaimm": false, "type": "persistent-claim"}], "type": "jbod"}}
                """);
        assertThat(StrictModels.read(pool, KafkaNodePoolSpec.class, "spec").problems()).containsExactly(
                "unknown field 'spec.rols' (no property of io.strimzi.api.kafka.model.nodepool.KafkaNodePoolSpec)",
                "unknown field 'spec.storage.volumes[0].deleteClaimm' (no property of io.strimzi.api.kafka.model.kafka.PersistentClaimStorage)");
    }

    @Test
    void aMisspelledDeploymentFieldFailsThroughFabric8sModel() throws IOException {
        assertThat(problemsWith("rag-service/deployment.yaml", "terminationGracePeriodSeconds: 60", "terminationGracePeriodSecond: 60"))
                .containsExactly("rag-service/deployment.yaml Deployment/rag-service: unknown field"
                        + " 'spec.template.spec.terminationGracePeriodSecond' (no property of io.fabric8.kubernetes.api.model.PodSpec)");
    }

    @Test
    void aMisspelledKafkaFieldFailsThroughStrimzisModel() throws IOException {
        assertThat(problemsWith("kafka/kafka.yaml", "groupRegex: \".*\"", "groupRegx: \".*\""))
                .containsExactly("kafka/kafka.yaml Kafka/ragtune: unknown field 'spec.kafkaExporter.groupRegx'"
                        + " (no property of io.strimzi.api.kafka.model.kafka.exporter.KafkaExporterSpec)");
    }

    @Test
    void aMisspelledCloudNativePgClusterFieldFailsThroughCnpgSchema() throws IOException {
        assertThat(problemsWith("postgres/cluster.yaml", "enablePodAntiAffinity: true", "enablePodAntiAfinity: true"))
                .containsExactly("postgres/cluster.yaml Cluster/ragtune-pg: unknown field 'spec.affinity.enablePodAntiAfinity'"
                        + " (not among CnpgSchema's fields of Cluster spec.affinity)");
    }

    @Test
    void theValidatorRejectsAListedFileThatIsMissing() throws IOException {
        Path dir = copy(KUBE, tmp.resolve("kubernetes"));
        Files.delete(dir.resolve("rag-service/pdb.yaml"));
        assertThat(ManifestValidator.validate(dir, REPO).problems()).anyMatch(p -> p.contains("lists 'rag-service/pdb.yaml' which does not exist"));
    }

    @Test
    void theValidatorRejectsAKindWithoutModel() throws IOException {
        Path dir = copy(KUBE, tmp.resolve("kubernetes"));
        Files.writeString(dir.resolve("extra.yaml"), """
                apiVersion: example.com/v1
                kind: Gadget
                metadata:
                  name: g
                  namespace: ragtune
                  labels:
                    app.kubernetes.io/part-of: ragtune
                """);
        Files.writeString(dir.resolve("kustomization.yaml"), Files.readString(dir.resolve("kustomization.yaml"))
                .replace("resources:\n", "resources:\n  - extra.yaml\n"));
        assertThat(ManifestValidator.validate(dir, REPO).problems()).anyMatch(p -> p.contains("no model for apiVersion 'example.com/v1' kind 'Gadget'"));
    }

    @Test
    void aMisspelledEnvVarIsRejectedNamingTheVariableTheContainerAndTheFile() throws IOException {
        Path dir = copy(KUBE, tmp.resolve("kubernetes"));
        replaceOnce(dir.resolve("rag-service/deployment.yaml"), "- name: RAGTUNE_RAG_REGISTRY_KEY", "- name: RAGTUNE_RAG_REGISTRY_KYE");
        assertThat(ManifestValidator.validate(dir, REPO).problems()).contains(
                "rag-service/deployment.yaml Deployment/rag-service container 'rag-service': env RAGTUNE_RAG_REGISTRY_KYE is not read by"
                        + " rag-service: no property of rag-service has this env name and rag-service/src/main/resources/application.properties"
                        + " does not reference ${RAGTUNE_RAG_REGISTRY_KYE} (did you mean RAGTUNE_RAG_REGISTRY_KEY?)");
    }

    @Test
    void theNamesAServiceReadsComeFromItsPropertiesAndConfigMappings() {
        var rag = ServiceConfig.load(REPO, "rag-service").orElseThrow();
        assertThat(rag.problems()).isEmpty();
        assertThat(rag.mappingRoots()).containsExactly("ragtune.rag");
        // @ConfigMapping methods, kebab-case, nested groups, Optional groups and lists
        assertThat(rag.mapped()).contains("ragtune.rag.index-dir", "ragtune.rag.model.cache-dir", "ragtune.rag.adapters.served",
                "ragtune.rag.adapters.group-prefix", "ragtune.rag.registry.key", "ragtune.rag.retrieval.rrf-k",
                "ragtune.rag.generation.max-tokens-limit", "ragtune.rag.ingest.languages");
        assertThat(rag.mappedPrefixes()).contains("ragtune.rag.api-keys", "ragtune.rag.adapters.consumer", "ragtune.rag.adapters.served");
        // env: ${...} references, env form of properties (mapped and declared), map properties
        for (String env : List.of("RAGTUNE_RAG_REGISTRY_KEY", "RAGTUNE_MODEL_DIR", "RAGTUNE_KAFKA_BOOTSTRAP", "RAGTUNE_RAG_DB_USER",
                "RAGTUNE_RAG_ADAPTERS_SERVED", "RAGTUNE_RAG_MODEL_CACHE_DIR", "QUARKUS_DATASOURCE_JDBC_MAX_SIZE",
                "RAGTUNE_RAG_API_KEYS__SOME_KEY_", "RAGTUNE_RAG_ADAPTERS_CONSUMER_MAX_POLL_RECORDS")) {
            assertThat(rag.readsEnv(env)).as(env).isTrue();
        }
        for (String env : List.of("RAGTUNE_RAG_REGISTRY_API_KEY", "RAGTUNE_RAG_KAFKA_GROUP_ID", "RAGTUNE_RAG_CACHE_DIR",
                "RAGTUNE_RAG_MODEL", "QUARKUS_HTTP_BODY_UPLOADS_DIRECTORY")) {
            assertThat(rag.readsEnv(env)).as(env).isFalse();
        }
        assertThat(rag.readsProperty("ragtune.rag.api-keys.\"k\"")).isTrue();
        assertThat(rag.readsProperty("ragtune.rag.apikeys.\"k\"")).isFalse();
        assertThat(rag.envNamesOf("quarkus.datasource.jdbc.url")).containsExactly("RAGTUNE_RAG_DB_URL", "QUARKUS_DATASOURCE_JDBC_URL");

        var worker = ServiceConfig.load(REPO, "tuning-worker").orElseThrow();
        assertThat(worker.mappingRoots()).containsExactlyInAnyOrder("ragtune.worker", "ragtune.worker.jobs");
        assertThat(worker.mapped()).contains("ragtune.worker.checkpoint-dir", "ragtune.worker.registry.api-key",
                "ragtune.worker.kafka.group-id", "ragtune.worker.jobs.max-new-tokens");
        // the explicit reference and the env form of ragtune.worker.registry.api-key both reach the property
        assertThat(worker.readsEnv("RAGTUNE_WORKER_REGISTRY_KEY")).isTrue();
        assertThat(worker.readsEnv("RAGTUNE_WORKER_REGISTRY_API_KEY")).isTrue();
        assertThat(worker.readsEnv("RAGTUNE_WORKER_KAFKA_GROUP_ID")).isTrue();
        assertThat(worker.localDefaults()).containsKeys("ragtune.worker.checkpoint-dir", "ragtune.worker.work-dir",
                "ragtune.worker.registry.url", "ragtune.worker.kafka.bootstrap-servers", "quarkus.datasource.jdbc.url");

        var registry = ServiceConfig.load(REPO, "model-registry").orElseThrow();
        assertThat(registry.readsEnv("RAGTUNE_REGISTRY_UPLOADS_DIR")).isTrue();
        assertThat(registry.readsEnv("QUARKUS_HTTP_BODY_UPLOADS_DIRECTORY")).isTrue();

        assertThat(ServiceConfig.kebab("maxTopK")).isEqualTo("max-top-k");
        assertThat(ServiceConfig.kebab("baseURLPath")).isEqualTo("base-url-path");
        assertThat(ServiceConfig.envName("ragtune.rag.api-keys.\"a-b\"")).isEqualTo("RAGTUNE_RAG_API_KEYS__A_B_");
    }

    @Test
    void aServiceThatStopsReadingANameFailsTheManifests() throws IOException {
        Path repo = tmp.resolve("repo");
        for (String m : MODULES) {
            copy(REPO.resolve(m).resolve("src/main"), repo.resolve(m).resolve("src/main"));
        }
        assertThat(ManifestValidator.validate(KUBE, repo).problems()).as("unbroken copy").isEmpty();

        // the property is renamed in the @ConfigMapping: application.properties still sets the old one
        replaceOnce(repo.resolve("rag-service/src/main/java/dev/ragtune/rag/config/GenerationConfig.java"),
                "Optional<String> key();", "Optional<String> apiKey();");
        // the expansion is renamed: the manifests' RAGTUNE_MODEL_DIR reaches rag-service no more
        replaceOnce(repo.resolve("rag-service/src/main/resources/application.properties"),
                "ragtune.rag.model.dir=${RAGTUNE_MODEL_DIR:}", "ragtune.rag.model.dir=${RAGTUNE_RAG_MODEL_DIR:}");
        assertThat(ManifestValidator.validate(KUBE, repo).problems())
                .anyMatch(p -> p.equals("rag-service/src/main/resources/application.properties: 'ragtune.rag.registry.key' is under the"
                        + " @ConfigMapping prefix [ragtune.rag] but no method of rag-service's @ConfigMapping interfaces reads it"))
                .anyMatch(p -> p.contains("container 'rag-service': env RAGTUNE_MODEL_DIR (key of ConfigMap rag-service-config in"
                        + " rag-service/configmap.yaml, envFrom) is not read by rag-service"))
                .noneMatch(p -> p.contains("container 'tuning-worker': env RAGTUNE_MODEL_DIR"));
    }

    /** {description, module, text to replace (exactly once), replacement, expected problem fragment} */
    static Stream<Arguments> brokenImages() {
        return Stream.of(
                Arguments.of("start command runs another jar", "model-registry",
                        "\"/deployments/quarkus-run.jar\"]", "\"/deployments/app.jar\"]",
                        "the start command runs '/deployments/app.jar', not /deployments/quarkus-run.jar"),
                Arguments.of("shell-form ENTRYPOINT", "model-registry",
                        "ENTRYPOINT [\"java\", \"-Djava.util.logging.manager=org.jboss.logmanager.LogManager\", \"-jar\", \"/deployments/quarkus-run.jar\"]",
                        "ENTRYPOINT java -jar /deployments/quarkus-run.jar",
                        "ENTRYPOINT must use the exec (JSON) form"),
                Arguments.of("copies another module's artifacts", "rag-service",
                        "COPY --chown=10001:10001 rag-service/target/quarkus-app/lib/", "COPY --chown=10001:10001 model-registry/target/quarkus-app/lib/",
                        "does not copy rag-service/target/quarkus-app/lib/ to /deployments/lib/"),
                Arguments.of("forgets the quarkus/ folder", "model-registry",
                        "COPY --chown=10001:10001 model-registry/target/quarkus-app/quarkus/ /deployments/quarkus/\n", "",
                        "does not copy model-registry/target/quarkus-app/quarkus/ to /deployments/quarkus/"),
                Arguments.of("exposes another port", "tuning-worker",
                        "EXPOSE 8082", "EXPOSE 8080",
                        "does not include port 8082 that the Deployment's container uses"),
                Arguments.of("runs as root", "rag-service",
                        "USER 10001:10001\n", "",
                        "USER must be set to a non-root user"),
                Arguments.of("wrong working directory", "model-registry",
                        "WORKDIR /deployments", "WORKDIR /app",
                        "WORKDIR must be /deployments"),
                Arguments.of("not a Java 21 base", "rag-service",
                        "FROM eclipse-temurin:21-jre-noble", "FROM eclipse-temurin:17-jre-noble",
                        "the final image must be a Java 21 JRE"),
                Arguments.of("CUDA flavour DJL has no JNI for", "tuning-worker",
                        "PYTORCH_FLAVOR=cu128", "PYTORCH_FLAVOR=cu999",
                        "ENV PYTORCH_FLAVOR=cu999 has no JNI library"),
                Arguments.of("libtorch version DJL's JNI was not built for", "tuning-worker",
                        "PYTORCH_VERSION=2.7.1", "PYTORCH_VERSION=2.5.1",
                        "ENV PYTORCH_VERSION=2.5.1 does not match pytorch-jni"),
                Arguments.of("library path that is not in the image", "tuning-worker",
                        "PYTORCH_LIBRARY_PATH=/opt/libtorch/lib", "PYTORCH_LIBRARY_PATH=/usr/lib/libtorch",
                        "ENV PYTORCH_LIBRARY_PATH=/usr/lib/libtorch is not a directory the Dockerfile copies"),
                Arguments.of("tuning-worker without a CUDA base", "tuning-worker",
                        "ARG CUDA_IMAGE=nvidia/cuda:12.8.1-runtime-ubuntu24.04", "ARG CUDA_IMAGE=ubuntu:24.04",
                        "its final image must be an nvidia/cuda base"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenImages")
    void theImageCheckRejects(String description, String module, String from, String to, String expected) throws IOException {
        Path repo = imageRepo();
        assertThat(DockerImageValidator.validate(repo, module, manifests).problems()).as("unbroken copy").isEmpty();
        replaceOnce(repo.resolve("deploy/docker").resolve(module).resolve("Dockerfile"), from, to);
        assertThat(DockerImageValidator.validate(repo, module, manifests).problems()).as(description).anyMatch(p -> p.contains(expected));
    }

    @Test
    void aModuleWithApplicationPropertiesMustBuildAQuarkusAppOnThePortTheImageExposes() throws IOException {
        Path repo = imageRepo();
        Path pom = repo.resolve("model-registry/pom.xml");
        Path props = repo.resolve("model-registry/src/main/resources/application.properties");

        replaceOnce(props, "quarkus.http.port=8081", "quarkus.http.port=9090");
        assertThat(DockerImageValidator.validate(repo, "model-registry", manifests).problems())
                .anyMatch(p -> p.contains("quarkus.http.port is 9090 but the image and Deployment use 8081"));
        replaceOnce(props, "quarkus.http.port=9090", "quarkus.http.port=8081");

        replaceOnce(pom, "<artifactId>quarkus-maven-plugin</artifactId>", "<artifactId>maven-jar-plugin</artifactId>");
        assertThat(DockerImageValidator.validate(repo, "model-registry", manifests).problems())
                .anyMatch(p -> p.contains("does not run quarkus-maven-plugin's build goal"));
    }

    @Test
    void aModuleThatIsNotQuarkusYetIsAnAssumptionUntilItHasApplicationProperties() throws IOException {
        Path repo = imageRepo();
        Path props = repo.resolve("rag-service/src/main/resources/application.properties");
        Files.deleteIfExists(props);
        Files.writeString(repo.resolve("rag-service/pom.xml"), """
                <project><modelVersion>4.0.0</modelVersion><artifactId>rag-service</artifactId></project>
                """);
        var before = DockerImageValidator.validate(repo, "rag-service", manifests);
        assertThat(before.problems()).isEmpty();
        assertThat(before.notes()).anyMatch(n -> n.startsWith("ASSUMPTION rag-service: not a Quarkus app yet"));

        Files.createDirectories(props.getParent());
        Files.writeString(props, "quarkus.http.port=8080\n");
        assertThat(DockerImageValidator.validate(repo, "rag-service", manifests).problems())
                .anyMatch(p -> p.contains("rag-service/pom.xml: has application.properties but does not run quarkus-maven-plugin's build goal"));
    }

    @Test
    void theDockerfileParserJoinsContinuationsAndSkipsComments() {
        var in = DockerImageValidator.parse("""
                # comment
                FROM a AS b

                RUN one \\
                 && two
                ENV X=1 \\
                    Y="two words"
                """);
        assertThat(in).extracting(DockerImageValidator.Instruction::keyword).containsExactly("FROM", "RUN", "ENV");
        assertThat(in.get(1).args()).isEqualTo("one && two");
        assertThat(DockerImageValidator.parseEnv(in.get(2).args())).containsExactly(Map.entry("X", "1"), Map.entry("Y", "two words"));
    }

    // ------------------------------------------------------------------ helpers

    /** A minimal copy of the repository for the image checks: deploy/docker and the three modules' pom and properties. */
    private Path imageRepo() throws IOException {
        Path repo = tmp.resolve("repo");
        copy(REPO.resolve("deploy/docker"), repo.resolve("deploy/docker"));
        for (String m : MODULES) {
            Files.createDirectories(repo.resolve(m));
            Files.copy(REPO.resolve(m).resolve("pom.xml"), repo.resolve(m).resolve("pom.xml"));
            Path props = REPO.resolve(m).resolve("src/main/resources/application.properties");
            if (Files.isRegularFile(props)) {
                Files.createDirectories(repo.resolve(m).resolve("src/main/resources"));
                Files.copy(props, repo.resolve(m).resolve("src/main/resources/application.properties"));
            }
        }
        return repo;
    }

    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }

    static void replaceOnce(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        int first = text.indexOf(from);
        assertThat(first).as("'%s' in %s", from, file).isNotNegative();
        assertThat(text.indexOf(from, first + 1)).as("'%s' occurs more than once in %s", from, file).isNegative();
        Files.writeString(file, text.substring(0, first) + to + text.substring(first + from.length()));
    }
}
