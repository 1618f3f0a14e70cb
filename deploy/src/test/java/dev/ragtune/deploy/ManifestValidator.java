package dev.ragtune.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.RuleGroup;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;

/**
 * Validates the Kubernetes manifests under a directory (deploy/kubernetes): every YAML document
 * parses, deserialises into the typed model of its apiVersion/kind (fabric8 for built-in kinds and
 * Prometheus Operator kinds, Strimzi's own api artifact for Kafka/KafkaNodePool/KafkaTopic) with no
 * unknown field anywhere, CloudNativePG resources (no Java model published) carry only the fields
 * their CRDs define, and the resources fit together (selectors, ports, references, HPA target,
 * database owners, Kafka addresses), and every service container is configured with names its service
 * reads ({@link ServiceConfig}: derived from the module's application.properties and @ConfigMapping
 * sources). {@link #validate(Path, Path)} returns every problem found, each naming the file, the resource
 * and what is wrong; an empty list means valid.
 */
final class ManifestValidator {

    static final String NAMESPACE = "ragtune";
    static final String PART_OF = "app.kubernetes.io/part-of";

    /** Kinds with a typed model; the key is "apiVersion kind" as the model class declares it. */
    private static final List<Class<? extends HasMetadata>> TYPED_KINDS = List.of(
            Namespace.class, ConfigMap.class, Secret.class, Service.class, PersistentVolumeClaim.class,
            Deployment.class, StatefulSet.class, HorizontalPodAutoscaler.class, PodDisruptionBudget.class,
            ServiceMonitor.class, PodMonitor.class, PrometheusRule.class,
            Kafka.class, KafkaNodePool.class, KafkaTopic.class);
    static final Map<String, Class<? extends HasMetadata>> MODELS = TYPED_KINDS.stream().collect(
            Collectors.toMap(c -> HasMetadata.getApiVersion(c) + " " + HasMetadata.getKind(c), c -> c,
                    (a, b) -> a, LinkedHashMap::new));

    /**
     * Custom resources without a Java model on Maven Central (CloudNativePG, its Barman Cloud plugin):
     * the allowed keys of each object we use, from the operators' CRDs (CloudNativePG 1.26+,
     * plugin-barman-cloud 0.x). Any other key is reported as unknown, so a misspelling fails.
     */
    private static final Map<String, Set<String>> CNPG_FIELDS = Map.ofEntries(
            Map.entry("Cluster.spec", Set.of("affinity", "backup", "bootstrap", "certificates", "description",
                    "enablePDB", "enableSuperuserAccess", "env", "envFrom", "ephemeralVolumeSource",
                    "ephemeralVolumesSizeLimit", "externalClusters", "failoverDelay", "imageCatalogRef", "imageName",
                    "imagePullPolicy", "imagePullSecrets", "inheritedMetadata", "instances", "livenessProbeTimeout",
                    "logLevel", "managed", "maxSyncReplicas", "minSyncReplicas", "monitoring", "nodeMaintenanceWindow",
                    "plugins", "podSecurityContext", "postgresGID", "postgresUID", "postgresql", "primaryUpdateMethod",
                    "primaryUpdateStrategy", "priorityClassName", "probes", "projectedVolumeTemplate", "replica",
                    "replicationSlots", "resources", "schedulerName", "seccompProfile", "securityContext",
                    "serviceAccountName", "serviceAccountTemplate", "smartShutdownTimeout", "startDelay", "stopDelay",
                    "storage", "superuserSecret", "switchoverDelay", "tablespaces", "topologySpreadConstraints",
                    "walStorage")),
            Map.entry("Cluster.spec.storage", Set.of("size", "storageClass", "resizeInUseVolumes", "pvcTemplate")),
            Map.entry("Cluster.spec.walStorage", Set.of("size", "storageClass", "resizeInUseVolumes", "pvcTemplate")),
            Map.entry("Cluster.spec.bootstrap", Set.of("initdb", "recovery", "pg_basebackup")),
            Map.entry("Cluster.spec.bootstrap.initdb", Set.of("database", "owner", "secret", "options",
                    "dataChecksums", "encoding", "localeCollate", "localeCType", "locale", "localeProvider",
                    "icuLocale", "icuRules", "builtinLocale", "walSegmentSize", "postInitSQL",
                    "postInitApplicationSQL", "postInitTemplateSQL", "postInitSQLRefs",
                    "postInitApplicationSQLRefs", "postInitTemplateSQLRefs", "import")),
            Map.entry("Cluster.spec.managed", Set.of("roles", "services")),
            Map.entry("Cluster.spec.managed.roles[]", Set.of("name", "comment", "ensure", "login", "superuser",
                    "createdb", "createrole", "inherit", "replication", "bypassrls", "connectionLimit", "validUntil",
                    "inRoles", "passwordSecret", "disablePassword")),
            Map.entry("Cluster.spec.plugins[]", Set.of("name", "enabled", "isWALArchiver", "parameters")),
            Map.entry("Cluster.spec.postgresql", Set.of("parameters", "pg_hba", "pg_ident",
                    "syncReplicaElectionConstraint", "shared_preload_libraries", "ldap", "promotionTimeout",
                    "enableAlterSystem", "synchronous", "extensions")),
            Map.entry("Cluster.spec.affinity", Set.of("enablePodAntiAffinity", "topologyKey", "nodeSelector",
                    "nodeAffinity", "tolerations", "podAntiAffinityType", "additionalPodAntiAffinity",
                    "additionalPodAffinity")),
            Map.entry("Database.spec", Set.of("cluster", "name", "owner", "ensure", "databaseReclaimPolicy",
                    "template", "encoding", "locale", "localeProvider", "localeCollate", "localeCType", "icuLocale",
                    "icuRules", "builtinLocale", "collationVersion", "isTemplate", "allowConnections",
                    "connectionLimit", "tablespace", "extensions", "schemas", "fdws", "servers")),
            Map.entry("ScheduledBackup.spec", Set.of("schedule", "suspend", "immediate", "cluster",
                    "backupOwnerReference", "target", "method", "online", "onlineConfiguration",
                    "pluginConfiguration")),
            Map.entry("ObjectStore.spec", Set.of("configuration", "retentionPolicy", "instanceSidecarConfiguration")),
            Map.entry("ObjectStore.spec.configuration", Set.of("destinationPath", "endpointURL", "endpointCA",
                    "serverName", "s3Credentials", "azureCredentials", "googleCredentials", "wal", "data", "tags",
                    "historyTags")));
    static final Set<String> UNTYPED = Set.of(
            "postgresql.cnpg.io/v1 Cluster", "postgresql.cnpg.io/v1 Database",
            "postgresql.cnpg.io/v1 ScheduledBackup", "barmancloud.cnpg.io/v1 ObjectStore");

    /** One YAML document of one manifest file. */
    record Doc(String file, int index, ObjectNode tree) {
        String apiVersion() { return tree.path("apiVersion").asText(""); }
        String kind() { return tree.path("kind").asText(""); }
        String name() { return tree.path("metadata").path("name").asText(""); }
        String key() { return apiVersion() + " " + kind(); }
        String where() { return file + (index > 0 ? " (document " + (index + 1) + ")" : "") + " " + kind() + "/" + name(); }
    }

    /** A pod-creating workload (Deployment or StatefulSet). */
    record Workload(Doc doc, String kind, String name, Integer replicas, LabelSelector selector, PodTemplateSpec template) {}

    record Result(List<Doc> docs, Map<Doc, HasMetadata> typed, List<String> problems) {
        long count(String kind) { return docs.stream().filter(d -> d.kind().equals(kind)).count(); }
        <T extends HasMetadata> List<T> all(Class<T> type) {
            return typed.values().stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper MODEL = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final Path dir;
    private final Path repo;
    private final Map<String, Optional<ServiceConfig>> services = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<Doc> docs = new ArrayList<>();
    private final Map<Doc, HasMetadata> typed = new LinkedHashMap<>();
    private final List<Workload> workloads = new ArrayList<>();

    private ManifestValidator(Path dir, Path repo) {
        this.dir = dir;
        this.repo = repo;
    }

    /**
     * Validates the manifests under {@code dir}; the services' configuration (application.properties,
     * @ConfigMapping sources) is read from the modules under {@code repo}.
     */
    static Result validate(Path dir, Path repo) {
        var v = new ManifestValidator(dir, repo);
        v.run();
        return new Result(List.copyOf(v.docs), Collections.unmodifiableMap(v.typed), List.copyOf(v.problems));
    }

    private void problem(String message) {
        problems.add(message);
    }

    private void run() {
        List<String> files = yamlFiles();
        Doc kustomization = null;
        for (String file : files) {
            List<ObjectNode> trees = parse(file);
            for (int i = 0; i < trees.size(); i++) {
                var doc = new Doc(file, i, trees.get(i));
                if (doc.kind().equals("Kustomization")) {
                    kustomization = doc;
                } else {
                    docs.add(doc);
                }
            }
        }
        checkKustomization(kustomization, files);
        for (Doc doc : docs) {
            checkIdentity(doc);
            deserialize(doc);
        }
        checkUniqueNames();
        for (var e : typed.entrySet()) {
            if (e.getValue() instanceof Deployment d) {
                workloads.add(new Workload(e.getKey(), "Deployment", d.getMetadata().getName(), d.getSpec().getReplicas(),
                        d.getSpec().getSelector(), d.getSpec().getTemplate()));
            } else if (e.getValue() instanceof StatefulSet s) {
                workloads.add(new Workload(e.getKey(), "StatefulSet", s.getMetadata().getName(), s.getSpec().getReplicas(),
                        s.getSpec().getSelector(), s.getSpec().getTemplate()));
            }
        }
        workloads.forEach(this::checkWorkload);
        typed.forEach((doc, r) -> {
            switch (r) {
                case Service s -> checkService(doc, s);
                case HorizontalPodAutoscaler h -> checkHpa(doc, h);
                case PodDisruptionBudget p -> checkPdb(doc, p);
                case PersistentVolumeClaim c -> checkPvc(doc, c);
                case ServiceMonitor m -> checkServiceMonitor(doc, m);
                case PrometheusRule p -> checkPrometheusRule(doc, p);
                case Kafka k -> checkKafka(doc, k);
                case KafkaNodePool p -> checkNodePool(doc, p);
                case KafkaTopic t -> checkTopic(doc, t);
                default -> { }
            }
        });
        checkKafkaHasBrokersAndControllers();
        for (Doc doc : docs) {
            switch (doc.key()) {
                case "postgresql.cnpg.io/v1 Cluster" -> checkCnpgCluster(doc);
                case "postgresql.cnpg.io/v1 Database" -> checkCnpgDatabase(doc);
                case "postgresql.cnpg.io/v1 ScheduledBackup" -> checkScheduledBackup(doc);
                case "barmancloud.cnpg.io/v1 ObjectStore" -> checkObjectStore(doc);
                default -> { }
            }
        }
        checkServiceAddresses();
        workloads.forEach(this::checkServiceConfiguration);
        if (kustomization != null) {
            checkImagesListed(kustomization);
        }
    }

    // ---------------------------------------------------------------- files, parsing, identity

    private List<String> yamlFiles() {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<ObjectNode> parse(String file) {
        List<ObjectNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class)
                .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).readValues(dir.resolve(file).toFile())) {
            int i = 0;
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                if (n == null || n.isNull() || n.isMissingNode()) {
                    i++;
                    continue;
                }
                if (!(n instanceof ObjectNode o)) {
                    problem(file + " (document " + (i + 1) + "): not a YAML mapping");
                } else {
                    out.add(o);
                }
                i++;
            }
        } catch (IOException | RuntimeException e) {
            problem(file + ": does not parse as YAML: " + firstLine(e.getMessage()));
        }
        if (out.isEmpty()) {
            problem(file + ": contains no Kubernetes resource");
        }
        return out;
    }

    private void checkKustomization(Doc k, List<String> files) {
        if (k == null) {
            problem("kustomization.yaml: missing (kind Kustomization)");
            return;
        }
        if (!k.file().equals("kustomization.yaml")) {
            problem(k.file() + ": the Kustomization must be the top-level kustomization.yaml");
        }
        if (!k.apiVersion().equals("kustomize.config.k8s.io/v1beta1")) {
            problem(k.file() + ": apiVersion must be kustomize.config.k8s.io/v1beta1, is '" + k.apiVersion() + "'");
        }
        Set<String> known = Set.of("apiVersion", "kind", "metadata", "namespace", "resources", "images", "labels",
                "commonAnnotations", "patches", "components", "configMapGenerator", "secretGenerator",
                "generatorOptions", "replicas", "namePrefix", "nameSuffix");
        k.tree().fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                problem(k.file() + ": unknown Kustomization field '" + f + "'");
            }
        });
        if (!NAMESPACE.equals(k.tree().path("namespace").asText())) {
            problem(k.file() + ": namespace must be '" + NAMESPACE + "'");
        }
        List<String> listed = new ArrayList<>();
        k.tree().path("resources").forEach(n -> listed.add(n.asText()));
        Set<String> manifests = new TreeSet<>(files);
        manifests.remove(k.file());
        Set<String> seen = new LinkedHashSet<>();
        for (String r : listed) {
            if (!seen.add(r)) {
                problem(k.file() + ": resource '" + r + "' is listed twice");
            }
            if (!manifests.contains(r)) {
                problem(k.file() + ": lists '" + r + "' which does not exist");
            }
        }
        for (String f : manifests) {
            if (!seen.contains(f)) {
                problem(k.file() + ": does not list '" + f + "' (every manifest must be applied)");
            }
        }
    }

    private void checkIdentity(Doc doc) {
        if (doc.apiVersion().isBlank() || doc.kind().isBlank() || doc.name().isBlank()) {
            problem(doc.where() + ": apiVersion, kind and metadata.name are required");
            return;
        }
        String ns = doc.tree().path("metadata").path("namespace").asText(null);
        if (doc.kind().equals("Namespace")) {
            if (!doc.name().equals(NAMESPACE)) {
                problem(doc.where() + ": the namespace must be '" + NAMESPACE + "'");
            }
        } else if (!NAMESPACE.equals(ns)) {
            problem(doc.where() + ": metadata.namespace must be '" + NAMESPACE + "' (is " + ns + ")");
        }
        if (!"ragtune".equals(doc.tree().path("metadata").path("labels").path(PART_OF).asText(null))) {
            problem(doc.where() + ": label " + PART_OF + ": ragtune is missing");
        }
    }

    private void checkUniqueNames() {
        Set<String> seen = new LinkedHashSet<>();
        for (Doc d : docs) {
            if (!seen.add(d.kind() + "/" + d.name())) {
                problem(d.where() + ": another " + d.kind() + " has the same name");
            }
        }
    }

    // ---------------------------------------------------------------- typed deserialisation

    private void deserialize(Doc doc) {
        Class<? extends HasMetadata> type = MODELS.get(doc.key());
        if (type == null) {
            if (!UNTYPED.contains(doc.key())) {
                problem(doc.where() + ": no model for apiVersion '" + doc.apiVersion() + "' kind '" + doc.kind()
                        + "' (known: " + String.join(", ", MODELS.keySet()) + ", " + String.join(", ", UNTYPED) + ")");
            }
            return;
        }
        HasMetadata model;
        try {
            model = MODEL.convertValue(doc.tree(), type);
        } catch (IllegalArgumentException e) {
            problem(doc.where() + ": does not match the " + type.getSimpleName() + " model: " + firstLine(e.getMessage()));
            return;
        }
        List<String> unknown = new ArrayList<>();
        unknownFields(model, "", Collections.newSetFromMap(new IdentityHashMap<>()), unknown);
        for (String u : unknown) {
            problem(doc.where() + ": unknown field " + u);
        }
        // a model may also drop what it cannot represent (an unknown enum constant becomes null):
        // everything the manifest says must come back when the model is written out again
        if (unknown.isEmpty()) {
            List<String> dropped = new ArrayList<>();
            dropped(doc.tree(), MODEL.valueToTree(model), "", dropped);
            for (String d : dropped) {
                // fields equal to their default are left out when written (Strimzi: NON_DEFAULT); a value
                // the model could not read is null in the model
                if (propertyIsNull(model, d)) {
                    problem(doc.where() + ": the " + type.getSimpleName() + " model does not understand the value of '" + d + "'");
                }
            }
        }
        typed.put(doc, model);
    }

    /**
     * fabric8 and Strimzi models keep fields they do not know in an "additionalProperties" map instead
     * of failing; walk the whole object graph and report every such field with its path.
     */
    private static void unknownFields(Object o, String path, Set<Object> seen, List<String> out) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>) {
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, seen, out));
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object x : c) {
                unknownFields(x, path + "[" + i++ + "]", seen, out);
            }
            return;
        }
        String pkg = o.getClass().getPackageName();
        if (!(pkg.startsWith("io.fabric8.kubernetes.api.model") || pkg.startsWith("io.fabric8.openshift.api.model")
                || pkg.startsWith("io.strimzi.api")) || !seen.add(o)) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String n = m.getName();
            String prop;
            if (n.startsWith("get") && n.length() > 3) {
                prop = Character.toLowerCase(n.charAt(3)) + n.substring(4);
            } else if (n.startsWith("is") && n.length() > 2) {
                prop = Character.toLowerCase(n.charAt(2)) + n.substring(3);
            } else {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (n.equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> out.add("'" + (path.isEmpty() ? "" : path.substring(1) + ".") + k + "'"));
                }
                continue;
            }
            unknownFields(v, path + "." + prop, seen, out);
        }
    }

    /** Whether the bean property at a dotted path (with [i] indexes) exists and is null. */
    static boolean propertyIsNull(Object root, String path) {
        Object cur = root;
        for (String seg : path.split("\\.")) {
            Matcher m = Pattern.compile("([^\\[]+)((?:\\[\\d+])*)").matcher(seg);
            if (!m.matches() || cur == null) {
                return false;
            }
            cur = property(cur, m.group(1));
            if (cur == NO_PROPERTY) {
                return false;
            }
            Matcher idx = Pattern.compile("\\[(\\d+)]").matcher(m.group(2));
            while (idx.find()) {
                if (!(cur instanceof List<?> l) || Integer.parseInt(idx.group(1)) >= l.size()) {
                    return false;
                }
                cur = l.get(Integer.parseInt(idx.group(1)));
            }
        }
        return cur == null;
    }

    private static final Object NO_PROPERTY = new Object();

    private static Object property(Object bean, String name) {
        if (bean instanceof Map<?, ?> map) {
            return map.containsKey(name) ? map.get(name) : NO_PROPERTY;
        }
        String cap = Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (String getter : List.of("get" + cap, "is" + cap)) {
            try {
                return bean.getClass().getMethod(getter).invoke(bean);
            } catch (NoSuchMethodException e) {
                // try the next form
            } catch (ReflectiveOperationException | RuntimeException e) {
                return NO_PROPERTY;
            }
        }
        return NO_PROPERTY;
    }

    private static void dropped(JsonNode in, JsonNode out, String path, List<String> found) {
        if (in.isObject()) {
            in.fields().forEachRemaining(e -> {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                JsonNode o = out == null ? null : out.get(e.getKey());
                if (e.getValue().isNull()) {
                    return;
                }
                if (o == null || o.isNull()) {
                    found.add(p);
                } else {
                    dropped(e.getValue(), o, p, found);
                }
            });
        } else if (in.isArray()) {
            for (int i = 0; i < in.size(); i++) {
                JsonNode o = out != null && out.isArray() && i < out.size() ? out.get(i) : null;
                if (o == null || o.isNull()) {
                    found.add(path + "[" + i + "]");
                } else {
                    dropped(in.get(i), o, path + "[" + i + "]", found);
                }
            }
        }
    }

    // ---------------------------------------------------------------- workloads

    private Optional<HasMetadata> find(String kind, String name) {
        return typed.values().stream()
                .filter(r -> r.getKind().equals(kind) && name != null && name.equals(r.getMetadata().getName()))
                .findFirst();
    }

    private boolean exists(String kind, String name) {
        return docs.stream().anyMatch(d -> d.kind().equals(kind) && d.name().equals(name));
    }

    private Set<String> keysOf(String kind, String name) {
        Set<String> keys = new TreeSet<>();
        find(kind, name).ifPresent(r -> {
            if (r instanceof ConfigMap cm) {
                if (cm.getData() != null) keys.addAll(cm.getData().keySet());
                if (cm.getBinaryData() != null) keys.addAll(cm.getBinaryData().keySet());
            } else if (r instanceof Secret s) {
                if (s.getData() != null) keys.addAll(s.getData().keySet());
                if (s.getStringData() != null) keys.addAll(s.getStringData().keySet());
            }
        });
        return keys;
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        boolean any = false;
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                any = true;
                if (!e.getValue().equals(l.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                any = true;
                String v = l.get(r.getKey());
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean ok = switch (r.getOperator()) {
                    case "In" -> v != null && values.contains(v);
                    case "NotIn" -> v == null || !values.contains(v);
                    case "Exists" -> v != null;
                    case "DoesNotExist" -> v == null;
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return any;
    }

    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        if (selector == null || selector.isEmpty()) {
            return false;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(l.get(e.getKey())));
    }

    private void checkWorkload(Workload w) {
        String where = w.doc().where();
        PodTemplateSpec t = w.template();
        if (t == null || t.getSpec() == null || t.getMetadata() == null) {
            problem(where + ": spec.template with metadata and spec is required");
            return;
        }
        Map<String, String> podLabels = t.getMetadata().getLabels();
        if (w.selector() == null || (w.selector().getMatchLabels() == null && w.selector().getMatchExpressions() == null)) {
            problem(where + ": spec.selector is required");
        } else if (!matches(w.selector(), podLabels)) {
            problem(where + ": spec.selector " + w.selector().getMatchLabels() + " does not match the pod template labels " + podLabels);
        }
        if (podLabels == null || !"ragtune".equals(podLabels.get(PART_OF))) {
            problem(where + ": pod template label " + PART_OF + ": ragtune is missing");
        }
        var spec = t.getSpec();
        Map<String, Volume> volumes = new LinkedHashMap<>();
        if (spec.getVolumes() != null) {
            for (Volume v : spec.getVolumes()) {
                if (volumes.put(v.getName(), v) != null) {
                    problem(where + ": volume '" + v.getName() + "' is defined twice");
                }
                if (v.getConfigMap() != null && !Boolean.TRUE.equals(v.getConfigMap().getOptional())
                        && !exists("ConfigMap", v.getConfigMap().getName())) {
                    problem(where + ": volume '" + v.getName() + "' references ConfigMap '" + v.getConfigMap().getName() + "' which is not in the manifests");
                }
                if (v.getSecret() != null && !Boolean.TRUE.equals(v.getSecret().getOptional())
                        && !exists("Secret", v.getSecret().getSecretName())) {
                    problem(where + ": volume '" + v.getName() + "' references Secret '" + v.getSecret().getSecretName() + "' which is not in the manifests");
                }
                if (v.getPersistentVolumeClaim() != null && !exists("PersistentVolumeClaim", v.getPersistentVolumeClaim().getClaimName())) {
                    problem(where + ": volume '" + v.getName() + "' references PersistentVolumeClaim '"
                            + v.getPersistentVolumeClaim().getClaimName() + "' which is not in the manifests");
                }
            }
        }
        if (spec.getContainers() == null || spec.getContainers().isEmpty()) {
            problem(where + ": no containers");
            return;
        }
        Set<String> mounted = new LinkedHashSet<>();
        for (Container c : spec.getContainers()) {
            String cw = where + " container '" + c.getName() + "'";
            checkContainer(cw, c, volumes, mounted);
            checkGpu(where, cw, c, spec.getNodeSelector(), spec.getTolerations());
        }
        for (String v : volumes.keySet()) {
            if (!mounted.contains(v)) {
                problem(where + ": volume '" + v + "' is not mounted by any container");
            }
        }
    }

    private void checkContainer(String cw, Container c, Map<String, Volume> volumes, Set<String> mounted) {
        if (c.getImage() == null || c.getImage().isBlank()) {
            problem(cw + ": image is required");
        }
        List<ContainerPort> ports = c.getPorts() == null ? List.of() : c.getPorts();
        checkProbe(cw, "startupProbe", c.getStartupProbe(), ports, "/q/health/");
        checkProbe(cw, "livenessProbe", c.getLivenessProbe(), ports, "/q/health/live");
        checkProbe(cw, "readinessProbe", c.getReadinessProbe(), ports, "/q/health/ready");
        Set<String> defined = new LinkedHashSet<>();
        if (c.getEnvFrom() != null) {
            for (EnvFromSource ef : c.getEnvFrom()) {
                if (ef.getConfigMapRef() != null) {
                    String n = ef.getConfigMapRef().getName();
                    if (!Boolean.TRUE.equals(ef.getConfigMapRef().getOptional()) && !exists("ConfigMap", n)) {
                        problem(cw + ": envFrom references ConfigMap '" + n + "' which is not in the manifests");
                    }
                    defined.addAll(keysOf("ConfigMap", n));
                }
                if (ef.getSecretRef() != null) {
                    String n = ef.getSecretRef().getName();
                    if (!Boolean.TRUE.equals(ef.getSecretRef().getOptional()) && !exists("Secret", n)) {
                        problem(cw + ": envFrom references Secret '" + n + "' which is not in the manifests");
                    }
                    defined.addAll(keysOf("Secret", n));
                }
            }
        }
        Set<String> names = new LinkedHashSet<>();
        if (c.getEnv() != null) {
            for (EnvVar e : c.getEnv()) {
                if (!names.add(e.getName())) {
                    problem(cw + ": env '" + e.getName() + "' is set twice");
                }
                if (e.getValue() != null) {
                    Matcher m = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(e.getValue());
                    while (m.find()) {
                        if (!defined.contains(m.group(1))) {
                            problem(cw + ": env '" + e.getName() + "' uses $(" + m.group(1) + ") which is not defined before it");
                        }
                    }
                }
                var from = e.getValueFrom();
                if (from != null && from.getConfigMapKeyRef() != null) {
                    var r = from.getConfigMapKeyRef();
                    if (!Boolean.TRUE.equals(r.getOptional())) {
                        if (!exists("ConfigMap", r.getName())) {
                            problem(cw + ": env '" + e.getName() + "' references ConfigMap '" + r.getName() + "' which is not in the manifests");
                        } else if (!keysOf("ConfigMap", r.getName()).contains(r.getKey())) {
                            problem(cw + ": env '" + e.getName() + "' references key '" + r.getKey() + "' missing from ConfigMap '" + r.getName() + "'");
                        }
                    }
                }
                if (from != null && from.getSecretKeyRef() != null) {
                    var r = from.getSecretKeyRef();
                    if (!Boolean.TRUE.equals(r.getOptional())) {
                        if (!exists("Secret", r.getName())) {
                            problem(cw + ": env '" + e.getName() + "' references Secret '" + r.getName() + "' which is not in the manifests");
                        } else if (!keysOf("Secret", r.getName()).contains(r.getKey())) {
                            problem(cw + ": env '" + e.getName() + "' references key '" + r.getKey() + "' missing from Secret '" + r.getName() + "'");
                        }
                    }
                }
                defined.add(e.getName());
            }
        }
        if (c.getVolumeMounts() != null) {
            for (VolumeMount vm : c.getVolumeMounts()) {
                if (!volumes.containsKey(vm.getName())) {
                    problem(cw + ": volumeMount '" + vm.getName() + "' names no volume of the pod");
                }
                mounted.add(vm.getName());
            }
        }
        if (c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem())
                && (c.getVolumeMounts() == null || c.getVolumeMounts().stream().noneMatch(vm -> "/tmp".equals(vm.getMountPath())))) {
            problem(cw + ": read-only root file system but no volume mounted at /tmp (the JVM, Vert.x and native libraries write there)");
        }
        var res = c.getResources();
        if (res == null || res.getRequests() == null || !res.getRequests().containsKey("memory")
                || res.getLimits() == null || !res.getLimits().containsKey("memory")) {
            problem(cw + ": memory request and limit are required (JVM heap is a share of the limit)");
        }
    }

    private void checkProbe(String cw, String which, Probe p, List<ContainerPort> ports, String pathPrefix) {
        if (p == null) {
            problem(cw + ": " + which + " is missing");
            return;
        }
        IntOrString port = null;
        if (p.getHttpGet() != null) {
            port = p.getHttpGet().getPort();
            String path = p.getHttpGet().getPath();
            if (path == null || !path.startsWith(pathPrefix)) {
                problem(cw + ": " + which + " path '" + path + "' must be " + pathPrefix + (pathPrefix.endsWith("/") ? "…" : ""));
            }
        } else if (p.getTcpSocket() != null) {
            port = p.getTcpSocket().getPort();
        } else if (p.getGrpc() != null) {
            port = new IntOrString(p.getGrpc().getPort());
        } else if (p.getExec() == null) {
            problem(cw + ": " + which + " has no handler (httpGet, tcpSocket, grpc or exec)");
        }
        if (port != null && !portExists(port, ports)) {
            problem(cw + ": " + which + " port '" + portText(port) + "' is not a port of the container " + portList(ports));
        }
    }

    static boolean portExists(IntOrString port, List<ContainerPort> ports) {
        if (port.getStrVal() != null) {
            return ports.stream().anyMatch(cp -> port.getStrVal().equals(cp.getName()));
        }
        return ports.stream().anyMatch(cp -> Objects.equals(port.getIntVal(), cp.getContainerPort()));
    }

    private static String portText(IntOrString p) {
        return p.getStrVal() != null ? p.getStrVal() : String.valueOf(p.getIntVal());
    }

    private static String portList(List<ContainerPort> ports) {
        return ports.stream().map(p -> (p.getName() == null ? "" : p.getName() + "=") + p.getContainerPort()).toList().toString();
    }

    private void checkGpu(String where, String cw, Container c, Map<String, String> nodeSelector, List<Toleration> tolerations) {
        var res = c.getResources();
        boolean requests = res != null && res.getRequests() != null && res.getRequests().containsKey("nvidia.com/gpu");
        boolean limits = res != null && res.getLimits() != null && res.getLimits().containsKey("nvidia.com/gpu");
        if (requests && !limits) {
            problem(cw + ": nvidia.com/gpu must be set in resources.limits (extended resources are not overcommitted)");
        }
        if (!limits) {
            return;
        }
        Quantity q = res.getLimits().get("nvidia.com/gpu");
        if (!q.getAmount().matches("[1-9][0-9]*") || (q.getFormat() != null && !q.getFormat().isEmpty())) {
            problem(cw + ": nvidia.com/gpu must be a whole number of GPUs, is '" + q + "'");
        }
        if (nodeSelector == null || nodeSelector.isEmpty()) {
            problem(where + ": asks for a GPU but has no nodeSelector for GPU nodes");
        }
        if (tolerations == null || tolerations.stream().noneMatch(t -> "nvidia.com/gpu".equals(t.getKey()))) {
            problem(where + ": asks for a GPU but does not tolerate the nvidia.com/gpu taint of GPU nodes");
        }
    }

    // ---------------------------------------------------------------- services, HPA, PDB, PVC

    private List<Workload> podsSelectedBy(Map<String, String> selector) {
        return workloads.stream().filter(w -> w.template() != null && w.template().getMetadata() != null
                && matches(selector, w.template().getMetadata().getLabels())).toList();
    }

    private void checkService(Doc doc, Service s) {
        var spec = s.getSpec();
        if (spec == null || spec.getPorts() == null || spec.getPorts().isEmpty()) {
            problem(doc.where() + ": spec.ports is required");
            return;
        }
        List<Workload> pods = podsSelectedBy(spec.getSelector());
        if (pods.isEmpty()) {
            problem(doc.where() + ": selector " + spec.getSelector() + " matches no pod template in the manifests");
            return;
        }
        for (ServicePort sp : spec.getPorts()) {
            IntOrString target = sp.getTargetPort() != null ? sp.getTargetPort() : new IntOrString(sp.getPort());
            for (Workload w : pods) {
                boolean found = w.template().getSpec().getContainers().stream()
                        .anyMatch(c -> portExists(target, c.getPorts() == null ? List.of() : c.getPorts()));
                if (!found) {
                    problem(doc.where() + ": targetPort '" + portText(target) + "' is not a container port of " + w.kind() + "/" + w.name());
                }
            }
        }
    }

    private void checkHpa(Doc doc, HorizontalPodAutoscaler h) {
        var spec = h.getSpec();
        var ref = spec.getScaleTargetRef();
        if (ref == null) {
            problem(doc.where() + ": spec.scaleTargetRef is required");
            return;
        }
        Optional<Workload> target = workloads.stream()
                .filter(w -> w.kind().equals(ref.getKind()) && w.name().equals(ref.getName())).findFirst();
        if (target.isEmpty()) {
            problem(doc.where() + ": scaleTargetRef " + ref.getKind() + "/" + ref.getName() + " is not in the manifests");
            return;
        }
        if (!"apps/v1".equals(ref.getApiVersion())) {
            problem(doc.where() + ": scaleTargetRef.apiVersion must be apps/v1, is " + ref.getApiVersion());
        }
        int min = spec.getMinReplicas() == null ? 1 : spec.getMinReplicas();
        if (spec.getMaxReplicas() == null || spec.getMaxReplicas() < min) {
            problem(doc.where() + ": maxReplicas must be set and at least minReplicas (" + min + ")");
        }
        if (target.get().replicas() != null) {
            problem(target.get().doc().where() + ": sets spec.replicas although HorizontalPodAutoscaler/" + h.getMetadata().getName()
                    + " owns the count (every apply would reset it)");
        }
        if (spec.getMetrics() == null || spec.getMetrics().isEmpty()) {
            problem(doc.where() + ": spec.metrics is required");
            return;
        }
        for (MetricSpec m : spec.getMetrics()) {
            if ("Resource".equals(m.getType()) && m.getResource() != null) {
                String res = m.getResource().getName();
                if ("Utilization".equals(m.getResource().getTarget().getType())) {
                    for (Container c : target.get().template().getSpec().getContainers()) {
                        var r = c.getResources();
                        if (r == null || r.getRequests() == null || !r.getRequests().containsKey(res)) {
                            problem(doc.where() + ": scales on " + res + " utilisation but container '" + c.getName()
                                    + "' of " + ref.getName() + " has no " + res + " request");
                        }
                    }
                }
            }
        }
    }

    private void checkPdb(Doc doc, PodDisruptionBudget p) {
        if (workloads.stream().noneMatch(w -> matches(p.getSpec().getSelector(), w.template().getMetadata().getLabels()))) {
            problem(doc.where() + ": selector matches no pod template in the manifests");
        }
    }

    private void checkPvc(Doc doc, PersistentVolumeClaim c) {
        var spec = c.getSpec();
        if (spec == null || spec.getAccessModes() == null || spec.getAccessModes().isEmpty()) {
            problem(doc.where() + ": spec.accessModes is required");
        }
        if (spec == null || spec.getResources() == null || spec.getResources().getRequests() == null
                || !spec.getResources().getRequests().containsKey("storage")) {
            problem(doc.where() + ": spec.resources.requests.storage is required");
        }
    }

    private void checkServiceMonitor(Doc doc, ServiceMonitor m) {
        List<Service> services = typed.values().stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> matches(m.getSpec().getSelector(), s.getMetadata().getLabels())).toList();
        if (services.isEmpty()) {
            problem(doc.where() + ": selector matches no Service in the manifests");
        }
        for (Endpoint e : m.getSpec().getEndpoints()) {
            for (Service s : services) {
                if (s.getSpec().getPorts().stream().noneMatch(p -> Objects.equals(e.getPort(), p.getName()))) {
                    problem(doc.where() + ": endpoint port '" + e.getPort() + "' is not a named port of Service/" + s.getMetadata().getName());
                }
            }
        }
    }

    private void checkPrometheusRule(Doc doc, PrometheusRule p) {
        Set<String> alerts = new LinkedHashSet<>();
        for (RuleGroup g : p.getSpec().getGroups()) {
            for (Rule r : g.getRules()) {
                String name = r.getAlert() != null ? r.getAlert() : r.getRecord();
                if (name == null) {
                    problem(doc.where() + ": a rule of group " + g.getName() + " has neither alert nor record");
                    continue;
                }
                if (r.getAlert() != null && !alerts.add(r.getAlert())) {
                    problem(doc.where() + ": alert " + r.getAlert() + " is defined twice");
                }
                String expr = r.getExpr() == null ? "" : portText(r.getExpr());
                if (expr.isBlank()) {
                    problem(doc.where() + ": rule " + name + " has no expr");
                } else if (!balanced(expr)) {
                    problem(doc.where() + ": rule " + name + " has unbalanced brackets or quotes in expr: " + expr);
                }
                if (r.getAlert() != null && (r.getLabels() == null || !r.getLabels().containsKey("severity"))) {
                    problem(doc.where() + ": alert " + name + " has no severity label");
                }
            }
        }
    }

    static boolean balanced(String expr) {
        var stack = new ArrayList<Character>();
        boolean inQuote = false;
        for (char ch : expr.toCharArray()) {
            if (ch == '"') {
                inQuote = !inQuote;
            } else if (!inQuote && "({[".indexOf(ch) >= 0) {
                stack.add(ch);
            } else if (!inQuote && ")}]".indexOf(ch) >= 0) {
                if (stack.isEmpty() || "({[".indexOf(stack.remove(stack.size() - 1)) != ")}]".indexOf(ch)) {
                    return false;
                }
            }
        }
        return stack.isEmpty() && !inQuote;
    }

    // ---------------------------------------------------------------- Strimzi

    private void checkKafka(Doc doc, Kafka k) {
        var spec = k.getSpec();
        if (spec == null || spec.getKafka() == null) {
            problem(doc.where() + ": spec.kafka is required");
            return;
        }
        List<GenericKafkaListener> listeners = spec.getKafka().getListeners();
        if (listeners == null || listeners.isEmpty()) {
            problem(doc.where() + ": spec.kafka.listeners is required");
        } else {
            for (GenericKafkaListener l : listeners) {
                if (l.getName() == null || !l.getName().matches("[a-z0-9]{1,11}") || l.getType() == null || l.getPort() < 9092) {
                    problem(doc.where() + ": listener " + l.getName()
                            + " needs a name of 1-11 lower-case letters/digits, a type and a port >= 9092");
                }
            }
        }
        if (spec.getEntityOperator() == null || spec.getEntityOperator().getTopicOperator() == null) {
            problem(doc.where() + ": spec.entityOperator.topicOperator is required, or the KafkaTopic resources are never created");
        }
        var config = spec.getKafka().getConfig();
        if (config != null && config.get("min.insync.replicas") instanceof Number isr
                && config.get("default.replication.factor") instanceof Number rf && isr.intValue() >= rf.intValue()) {
            problem(doc.where() + ": min.insync.replicas must be lower than default.replication.factor, or one broker down stops all writes");
        }
    }

    private Optional<String> clusterLabel(Doc doc, HasMetadata r) {
        String cluster = r.getMetadata().getLabels() == null ? null : r.getMetadata().getLabels().get("strimzi.io/cluster");
        if (cluster == null) {
            problem(doc.where() + ": label strimzi.io/cluster is required");
            return Optional.empty();
        }
        if (!exists("Kafka", cluster)) {
            problem(doc.where() + ": label strimzi.io/cluster names Kafka '" + cluster + "' which is not in the manifests");
            return Optional.empty();
        }
        return Optional.of(cluster);
    }

    private void checkNodePool(Doc doc, KafkaNodePool p) {
        clusterLabel(doc, p);
        var spec = p.getSpec();
        if (spec == null) {
            problem(doc.where() + ": spec is required");
            return;
        }
        if (spec.getReplicas() < 1) {
            problem(doc.where() + ": spec.replicas must be at least 1");
        }
        if (spec.getRoles() == null || spec.getRoles().isEmpty()) {
            problem(doc.where() + ": spec.roles is required (controller and/or broker)");
        }
        if (spec.getStorage() == null) {
            problem(doc.where() + ": spec.storage is required");
        }
    }

    private int brokers(String cluster, ProcessRoles role) {
        return all(KafkaNodePool.class).stream()
                .filter(p -> p.getMetadata().getLabels() != null && cluster.equals(p.getMetadata().getLabels().get("strimzi.io/cluster")))
                .filter(p -> p.getSpec() != null && p.getSpec().getRoles() != null && p.getSpec().getRoles().contains(role))
                .mapToInt(p -> p.getSpec().getReplicas()).sum();
    }

    private <T> List<T> all(Class<T> type) {
        return typed.values().stream().filter(type::isInstance).map(type::cast).toList();
    }

    private void checkKafkaHasBrokersAndControllers() {
        for (Kafka k : all(Kafka.class)) {
            String name = k.getMetadata().getName();
            if (brokers(name, ProcessRoles.CONTROLLER) < 1 || brokers(name, ProcessRoles.BROKER) < 1) {
                problem("Kafka/" + name + ": KRaft needs KafkaNodePools (label strimzi.io/cluster: " + name
                        + ") with at least one controller and one broker");
            }
        }
    }

    private void checkTopic(Doc doc, KafkaTopic t) {
        Optional<String> cluster = clusterLabel(doc, t);
        var spec = t.getSpec();
        if (spec == null || spec.getPartitions() == null || spec.getPartitions() < 1
                || spec.getReplicas() == null || spec.getReplicas() < 1) {
            problem(doc.where() + ": spec.partitions and spec.replicas (at least 1) are required");
            return;
        }
        if (cluster.isPresent() && spec.getReplicas() > brokers(cluster.get(), ProcessRoles.BROKER)) {
            problem(doc.where() + ": " + spec.getReplicas() + " replicas but Kafka '" + cluster.get() + "' has only "
                    + brokers(cluster.get(), ProcessRoles.BROKER) + " brokers");
        }
        if (spec.getConfig() != null && spec.getConfig().get("min.insync.replicas") instanceof Number isr
                && isr.intValue() >= spec.getReplicas()) {
            problem(doc.where() + ": min.insync.replicas " + isr + " must be lower than replicas " + spec.getReplicas());
        }
    }

    /** Topic names as the broker sees them (spec.topicName, else metadata.name). */
    static Set<String> topicNames(Result r) {
        return r.all(KafkaTopic.class).stream()
                .map(t -> t.getSpec() != null && t.getSpec().getTopicName() != null ? t.getSpec().getTopicName() : t.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    // ---------------------------------------------------------------- CloudNativePG (untyped)

    private void knownKeys(Doc doc, JsonNode node, String schema, String path) {
        Set<String> allowed = CNPG_FIELDS.get(schema);
        if (node == null || node.isMissingNode() || allowed == null) {
            return;
        }
        if (!node.isObject()) {
            problem(doc.where() + ": " + path + " must be a mapping");
            return;
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                problem(doc.where() + ": unknown field '" + path + "." + f + "'");
            }
        });
    }

    private void onlyTopLevel(Doc doc) {
        doc.tree().fieldNames().forEachRemaining(f -> {
            if (!Set.of("apiVersion", "kind", "metadata", "spec").contains(f)) {
                problem(doc.where() + ": unknown top-level field '" + f + "'");
            }
        });
        doc.tree().path("metadata").fieldNames().forEachRemaining(f -> {
            if (!Set.of("name", "namespace", "labels", "annotations").contains(f)) {
                problem(doc.where() + ": unknown field 'metadata." + f + "'");
            }
        });
    }

    private void secretRef(Doc doc, String path, JsonNode ref, String type, String... keys) {
        String name = ref.path("name").asText(null);
        if (name == null) {
            problem(doc.where() + ": " + path + ".name is required");
            return;
        }
        Optional<HasMetadata> s = find("Secret", name);
        if (s.isEmpty()) {
            problem(doc.where() + ": " + path + " references Secret '" + name + "' which is not in the manifests");
            return;
        }
        if (type != null && !type.equals(((Secret) s.get()).getType())) {
            problem(doc.where() + ": Secret '" + name + "' (" + path + ") must be of type " + type);
        }
        for (String k : keys) {
            if (!keysOf("Secret", name).contains(k)) {
                problem(doc.where() + ": Secret '" + name + "' (" + path + ") has no key '" + k + "'");
            }
        }
    }

    private void checkCnpgCluster(Doc doc) {
        onlyTopLevel(doc);
        JsonNode spec = doc.tree().path("spec");
        knownKeys(doc, spec, "Cluster.spec", "spec");
        for (String sub : List.of("storage", "walStorage", "bootstrap", "managed", "postgresql", "affinity")) {
            knownKeys(doc, spec.path(sub), "Cluster.spec." + sub, "spec." + sub);
        }
        knownKeys(doc, spec.path("bootstrap").path("initdb"), "Cluster.spec.bootstrap.initdb", "spec.bootstrap.initdb");
        if (!spec.path("instances").isInt() || spec.path("instances").asInt() < 1) {
            problem(doc.where() + ": spec.instances (an integer >= 1) is required");
        }
        if (spec.path("storage").path("size").asText("").isBlank()) {
            problem(doc.where() + ": spec.storage.size is required");
        }
        JsonNode initdb = spec.path("bootstrap").path("initdb");
        if (initdb.has("secret")) {
            secretRef(doc, "spec.bootstrap.initdb.secret", initdb.path("secret"), "kubernetes.io/basic-auth", "username", "password");
            String user = find("Secret", initdb.path("secret").path("name").asText()).map(s -> secretValue((Secret) s, "username")).orElse(null);
            if (user != null && !user.equals(initdb.path("owner").asText())) {
                problem(doc.where() + ": the initdb Secret's username '" + user + "' must equal spec.bootstrap.initdb.owner '" + initdb.path("owner").asText() + "'");
            }
        }
        int i = 0;
        for (JsonNode role : spec.path("managed").path("roles")) {
            String p = "spec.managed.roles[" + i++ + "]";
            knownKeys(doc, role, "Cluster.spec.managed.roles[]", p);
            if (role.path("name").asText("").isBlank()) {
                problem(doc.where() + ": " + p + ".name is required");
            }
            if (role.has("passwordSecret")) {
                secretRef(doc, p + ".passwordSecret", role.path("passwordSecret"), "kubernetes.io/basic-auth", "username", "password");
                String user = find("Secret", role.path("passwordSecret").path("name").asText()).map(s -> secretValue((Secret) s, "username")).orElse(null);
                if (user != null && !user.equals(role.path("name").asText())) {
                    problem(doc.where() + ": " + p + ": the passwordSecret's username '" + user + "' must equal the role name '" + role.path("name").asText() + "'");
                }
            }
        }
        i = 0;
        for (JsonNode plugin : spec.path("plugins")) {
            String p = "spec.plugins[" + i++ + "]";
            knownKeys(doc, plugin, "Cluster.spec.plugins[]", p);
            if (plugin.path("name").asText("").isBlank()) {
                problem(doc.where() + ": " + p + ".name is required");
            }
            String store = plugin.path("parameters").path("barmanObjectName").asText(null);
            if ("barman-cloud.cloudnative-pg.io".equals(plugin.path("name").asText()) && (store == null || !exists("ObjectStore", store))) {
                problem(doc.where() + ": " + p + ".parameters.barmanObjectName must name an ObjectStore in the manifests (is " + store + ")");
            }
        }
    }

    private static String secretValue(Secret s, String key) {
        if (s.getStringData() != null && s.getStringData().containsKey(key)) {
            return s.getStringData().get(key);
        }
        if (s.getData() != null && s.getData().containsKey(key)) {
            return new String(java.util.Base64.getDecoder().decode(s.getData().get(key)), java.nio.charset.StandardCharsets.UTF_8);
        }
        return null;
    }

    /** Databases the CloudNativePG resources create: name → owner, per cluster. */
    private Map<String, Map<String, String>> databases() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Doc d : docs) {
            if (d.key().equals("postgresql.cnpg.io/v1 Cluster")) {
                JsonNode initdb = d.tree().path("spec").path("bootstrap").path("initdb");
                String db = initdb.path("database").asText("app");
                out.computeIfAbsent(d.name(), k -> new LinkedHashMap<>()).put(db, initdb.path("owner").asText(db));
            }
        }
        for (Doc d : docs) {
            if (d.key().equals("postgresql.cnpg.io/v1 Database") && !"absent".equals(d.tree().path("spec").path("ensure").asText())) {
                JsonNode spec = d.tree().path("spec");
                out.computeIfAbsent(spec.path("cluster").path("name").asText(), k -> new LinkedHashMap<>())
                        .put(spec.path("name").asText(), spec.path("owner").asText());
            }
        }
        return out;
    }

    private Set<String> roles(String cluster) {
        Set<String> roles = new TreeSet<>();
        docs.stream().filter(d -> d.key().equals("postgresql.cnpg.io/v1 Cluster") && d.name().equals(cluster)).forEach(d -> {
            JsonNode spec = d.tree().path("spec");
            JsonNode initdb = spec.path("bootstrap").path("initdb");
            roles.add(initdb.path("owner").asText(initdb.path("database").asText("app")));
            spec.path("managed").path("roles").forEach(r -> {
                if (!"absent".equals(r.path("ensure").asText())) {
                    roles.add(r.path("name").asText());
                }
            });
        });
        return roles;
    }

    private void checkCnpgDatabase(Doc doc) {
        onlyTopLevel(doc);
        JsonNode spec = doc.tree().path("spec");
        knownKeys(doc, spec, "Database.spec", "spec");
        String cluster = spec.path("cluster").path("name").asText(null);
        if (spec.path("name").asText("").isBlank() || spec.path("owner").asText("").isBlank() || cluster == null) {
            problem(doc.where() + ": spec.name, spec.owner and spec.cluster.name are required");
            return;
        }
        if (!exists("Cluster", cluster)) {
            problem(doc.where() + ": spec.cluster.name '" + cluster + "' is not a Cluster in the manifests");
        } else if (!roles(cluster).contains(spec.path("owner").asText())) {
            problem(doc.where() + ": owner '" + spec.path("owner").asText() + "' is not a role of Cluster '" + cluster
                    + "' (bootstrap.initdb.owner or managed.roles): " + roles(cluster));
        }
    }

    private void checkScheduledBackup(Doc doc) {
        onlyTopLevel(doc);
        JsonNode spec = doc.tree().path("spec");
        knownKeys(doc, spec, "ScheduledBackup.spec", "spec");
        String schedule = spec.path("schedule").asText("");
        if (schedule.trim().split("\\s+").length != 6) {
            problem(doc.where() + ": spec.schedule must be a six-field cron expression (seconds first), is '" + schedule + "'");
        }
        String cluster = spec.path("cluster").path("name").asText(null);
        if (cluster == null || !exists("Cluster", cluster)) {
            problem(doc.where() + ": spec.cluster.name must name a Cluster in the manifests (is " + cluster + ")");
        }
        String method = spec.path("method").asText("barmanObjectStore");
        if (!Set.of("barmanObjectStore", "volumeSnapshot", "plugin").contains(method)) {
            problem(doc.where() + ": spec.method must be barmanObjectStore, volumeSnapshot or plugin, is '" + method + "'");
        }
        if (method.equals("plugin")) {
            String plugin = spec.path("pluginConfiguration").path("name").asText(null);
            boolean onCluster = docs.stream().anyMatch(d -> d.key().equals("postgresql.cnpg.io/v1 Cluster") && d.name().equals(cluster)
                    && java.util.stream.StreamSupport.stream(d.tree().path("spec").path("plugins").spliterator(), false)
                            .anyMatch(p -> p.path("name").asText().equals(plugin)));
            if (plugin == null || !onCluster) {
                problem(doc.where() + ": method plugin needs spec.pluginConfiguration.name of a plugin that Cluster '" + cluster + "' enables");
            }
        }
    }

    private void checkObjectStore(Doc doc) {
        onlyTopLevel(doc);
        JsonNode spec = doc.tree().path("spec");
        knownKeys(doc, spec, "ObjectStore.spec", "spec");
        JsonNode conf = spec.path("configuration");
        knownKeys(doc, conf, "ObjectStore.spec.configuration", "spec.configuration");
        if (conf.path("destinationPath").asText("").isBlank()) {
            problem(doc.where() + ": spec.configuration.destinationPath is required");
        }
        JsonNode s3 = conf.path("s3Credentials");
        for (String k : List.of("accessKeyId", "secretAccessKey")) {
            if (s3.has(k)) {
                secretRef(doc, "spec.configuration.s3Credentials." + k, s3.path(k), null, s3.path(k).path("key").asText());
            }
        }
    }

    // ---------------------------------------------------------------- cross-resource addresses

    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([a-z0-9.-]+):(\\d+)/([A-Za-z0-9_]+).*");

    /**
     * Every *_DB_URL points at a CloudNativePG read-write Service and a database that exists, and the
     * matching *_DB_USER comes from a Secret whose username owns that database; every
     * RAGTUNE_KAFKA_BOOTSTRAP is the bootstrap Service of a Kafka in the manifests on a listener port;
     * every *_REGISTRY_URL / *_PUBLIC_URL names a Service port.
     */
    private void checkServiceAddresses() {
        var dbs = databases();
        for (Workload w : workloads) {
            for (Container c : w.template().getSpec().getContainers()) {
                String cw = w.doc().where() + " container '" + c.getName() + "'";
                Map<String, String> env = new LinkedHashMap<>();
                Map<String, String> secretUser = new LinkedHashMap<>();
                if (c.getEnvFrom() != null) {
                    c.getEnvFrom().stream().filter(ef -> ef.getConfigMapRef() != null)
                            .flatMap(ef -> find("ConfigMap", ef.getConfigMapRef().getName()).stream())
                            .forEach(cm -> { if (((ConfigMap) cm).getData() != null) env.putAll(((ConfigMap) cm).getData()); });
                }
                if (c.getEnv() != null) {
                    for (EnvVar e : c.getEnv()) {
                        if (e.getValue() != null) {
                            env.put(e.getName(), e.getValue());
                        } else if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                            var ref = e.getValueFrom().getSecretKeyRef();
                            find("Secret", ref.getName()).map(s -> secretValue((Secret) s, ref.getKey()))
                                    .ifPresent(v -> secretUser.put(e.getName(), v));
                        }
                    }
                }
                env.forEach((k, v) -> {
                    if (k.endsWith("_DB_URL")) {
                        Matcher m = JDBC.matcher(v);
                        if (!m.matches()) {
                            problem(cw + ": " + k + " is not a jdbc:postgresql://host:port/database URL: " + v);
                            return;
                        }
                        String host = m.group(1);
                        String cluster = host.replaceFirst("-rw(\\..*)?$", "");
                        if (!host.startsWith(cluster + "-rw") || !dbs.containsKey(cluster)) {
                            problem(cw + ": " + k + " host '" + host + "' is not the read-write Service <cluster>-rw of a CloudNativePG Cluster in the manifests");
                            return;
                        }
                        if (!m.group(2).equals("5432")) {
                            problem(cw + ": " + k + " port must be 5432");
                        }
                        String owner = dbs.get(cluster).get(m.group(3));
                        if (owner == null) {
                            problem(cw + ": " + k + " names database '" + m.group(3) + "' which Cluster '" + cluster
                                    + "' does not create (databases: " + dbs.get(cluster).keySet() + ")");
                            return;
                        }
                        String userVar = k.replaceFirst("_URL$", "_USER");
                        String user = secretUser.getOrDefault(userVar, env.get(userVar));
                        if (user == null) {
                            problem(cw + ": " + k + " is set but " + userVar + " is not");
                        } else if (!user.equals(owner)) {
                            problem(cw + ": " + userVar + " is '" + user + "' but database '" + m.group(3) + "' is owned by '" + owner + "'");
                        }
                    } else if (k.equals("RAGTUNE_KAFKA_BOOTSTRAP")) {
                        checkKafkaBootstrap(cw, v);
                    } else if (k.endsWith("_REGISTRY_URL") || k.endsWith("_PUBLIC_URL")) {
                        checkServiceUrl(cw, k, v);
                    }
                });
            }
        }
    }

    private void checkKafkaBootstrap(String cw, String value) {
        for (String server : value.split(",")) {
            Matcher m = Pattern.compile("([a-z0-9-]+)-kafka-bootstrap(\\.[a-z0-9.-]+)?:(\\d+)").matcher(server.trim());
            Optional<Kafka> kafka = m.matches() ? find("Kafka", m.group(1)).map(Kafka.class::cast) : Optional.empty();
            if (kafka.isEmpty()) {
                problem(cw + ": RAGTUNE_KAFKA_BOOTSTRAP '" + server + "' is not <kafka>-kafka-bootstrap:<port> of a Kafka in the manifests");
                continue;
            }
            if (m.group(2) != null && !m.group(2).startsWith("." + NAMESPACE + ".")) {
                problem(cw + ": RAGTUNE_KAFKA_BOOTSTRAP '" + server + "' points at another namespace");
            }
            int port = Integer.parseInt(m.group(3));
            boolean plain = kafka.get().getSpec().getKafka().getListeners().stream().anyMatch(l -> l.getPort() == port && !l.isTls());
            if (!plain) {
                problem(cw + ": RAGTUNE_KAFKA_BOOTSTRAP port " + port + " is not a plain (non-TLS) listener of Kafka '" + m.group(1) + "'");
            }
        }
    }

    private void checkServiceUrl(String cw, String key, String value) {
        Matcher m = Pattern.compile("https?://([a-z0-9-]+)(\\.[a-z0-9.-]+)?:(\\d+)/?").matcher(value);
        Optional<Service> svc = m.matches() ? find("Service", m.group(1)).map(Service.class::cast) : Optional.empty();
        if (svc.isEmpty()) {
            problem(cw + ": " + key + " '" + value + "' is not http://<service>:<port> of a Service in the manifests");
            return;
        }
        int port = Integer.parseInt(m.group(3));
        if (svc.get().getSpec().getPorts().stream().noneMatch(p -> p.getPort() == port)) {
            problem(cw + ": " + key + " port " + port + " is not a port of Service/" + m.group(1));
        }
    }

    // ---------------------------------------------------------------- configuration names

    /** Quarkus reads $PWD/config/application.properties (ordinal 260); the images' WORKDIR is /deployments. */
    static final String CONFIG_DIR = "/deployments/config";

    /**
     * A container whose image is built from a module of the repository (image {@code .../<module>:tag}) is
     * configured only with names that module reads, and sets every setting whose default works only on a
     * developer's machine ({@link ServiceConfig} describes what a module reads):
     * <ul>
     * <li>every {@code RAGTUNE_*}/{@code QUARKUS_*} env var (env, and the keys of ConfigMaps/Secrets pulled
     * with envFrom, with its prefix) is read by the service;</li>
     * <li>every property of an application.properties mounted at {@value #CONFIG_DIR} (the API key Secrets)
     * is read by the service;</li>
     * <li>every property whose production default is a {@code .ragtune/} path (relative to the read-only
     * /deployments) or a localhost address is set, by env or by the mounted file.</li>
     * </ul>
     */
    private void checkServiceConfiguration(Workload w) {
        if (w.template() == null || w.template().getSpec() == null || w.template().getSpec().getContainers() == null) {
            return;
        }
        for (Container c : w.template().getSpec().getContainers()) {
            String module = moduleOf(c.getImage());
            if (module == null) {
                continue;
            }
            String cw = w.doc().where() + " container '" + c.getName() + "'";
            Optional<ServiceConfig> loaded = services.computeIfAbsent(module, m -> {
                Optional<ServiceConfig> sc = ServiceConfig.load(repo, m);
                sc.ifPresent(s -> s.problems().forEach(this::problem));
                return sc;
            });
            if (loaded.isEmpty()) {
                problem(cw + ": image '" + c.getImage() + "' is built from module '" + module + "' but " + module
                        + "/src/main/resources/application.properties does not exist, so the names it reads are unknown");
                continue;
            }
            ServiceConfig config = loaded.get();
            Map<String, String> env = new LinkedHashMap<>();   // name → where it comes from
            if (c.getEnvFrom() != null) {
                for (EnvFromSource ef : c.getEnvFrom()) {
                    String prefix = ef.getPrefix() == null ? "" : ef.getPrefix();
                    if (ef.getConfigMapRef() != null) {
                        String n = ef.getConfigMapRef().getName();
                        keysOf("ConfigMap", n).forEach(k -> env.put(prefix + k, " (key of ConfigMap " + n + " in " + fileOf("ConfigMap", n) + ", envFrom)"));
                    }
                    if (ef.getSecretRef() != null) {
                        String n = ef.getSecretRef().getName();
                        keysOf("Secret", n).forEach(k -> env.put(prefix + k, " (key of Secret " + n + " in " + fileOf("Secret", n) + ", envFrom)"));
                    }
                }
            }
            if (c.getEnv() != null) {
                c.getEnv().forEach(e -> env.put(e.getName(), ""));
            }
            env.forEach((name, from) -> {
                if ((name.startsWith("RAGTUNE_") || name.startsWith("QUARKUS_")) && !config.readsEnv(name)) {
                    problem(cw + ": env " + name + from + " is not read by " + module + ": no property of " + module
                            + " has this env name and " + config.propertiesFile() + " does not reference ${" + name + "}"
                            + config.suggestion(name));
                }
            });
            Map<String, String> mounted = mountedProperties(w, c);
            mounted.forEach((key, from) -> {
                if (!config.readsProperty(key)) {
                    problem(cw + ": property '" + key + "'" + from + " is not read by " + module
                            + " (neither a key of " + config.propertiesFile() + " nor a property of its @ConfigMapping interfaces)");
                }
            });
            config.localDefaults().forEach((property, value) -> {
                Set<String> setters = config.envNamesOf(property);
                if (setters.stream().noneMatch(env::containsKey) && !mounted.containsKey(property)) {
                    problem(cw + ": " + property + " is not set and its default '" + value + "' works only on a developer's machine"
                            + " (a .ragtune/ path under the read-only /deployments, or localhost): set env " + String.join(" or ", setters));
                }
            });
        }
    }

    /** The module an image is built from: the last path segment of its name, for images of ragtune or of a module folder. */
    private String moduleOf(String image) {
        if (image == null || image.isBlank()) {
            return null;
        }
        String name = image.replaceFirst("@.*$", "");
        int slash = name.lastIndexOf('/');
        int colon = name.indexOf(':', slash + 1);
        String last = (colon < 0 ? name : name.substring(0, colon)).substring(slash + 1);
        boolean ours = name.contains("ragtune/") || Files.isDirectory(repo.resolve(last).resolve("src/main"));
        return ours && last.matches("[a-z0-9][a-z0-9-]*") ? last : null;
    }

    private String fileOf(String kind, String name) {
        return docs.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).map(Doc::file).findFirst().orElse("?");
    }

    /** Properties of an application.properties mounted into {@value #CONFIG_DIR} from a Secret or ConfigMap, by name (profile removed) → where. */
    private Map<String, String> mountedProperties(Workload w, Container c) {
        Map<String, String> out = new TreeMap<>();
        List<Volume> volumes = w.template().getSpec().getVolumes();
        if (c.getVolumeMounts() == null || volumes == null) {
            return out;
        }
        for (VolumeMount vm : c.getVolumeMounts()) {
            String mountPath = vm.getMountPath() == null ? "" : vm.getMountPath().replaceFirst("/+$", "");
            boolean noSubPath = vm.getSubPath() == null || vm.getSubPath().isEmpty();
            String path;
            if (mountPath.equals(CONFIG_DIR) && noSubPath) {
                path = "application.properties";
            } else if (mountPath.equals(CONFIG_DIR + "/application.properties") && !noSubPath) {
                path = vm.getSubPath();
            } else {
                continue;
            }
            Volume v = volumes.stream().filter(x -> x.getName().equals(vm.getName())).findFirst().orElse(null);
            String kind;
            String name;
            List<KeyToPath> items;
            if (v != null && v.getSecret() != null) {
                kind = "Secret";
                name = v.getSecret().getSecretName();
                items = v.getSecret().getItems();
            } else if (v != null && v.getConfigMap() != null) {
                kind = "ConfigMap";
                name = v.getConfigMap().getName();
                items = v.getConfigMap().getItems();
            } else {
                continue;
            }
            String key = items == null || items.isEmpty() ? path
                    : items.stream().filter(i -> path.equals(i.getPath())).map(KeyToPath::getKey).findFirst().orElse(null);
            String text = key == null ? null : find(kind, name).map(r -> dataOf(r, key)).orElse(null);
            if (text == null) {
                continue;
            }
            Properties p = new Properties();
            try {
                p.load(new StringReader(text));
            } catch (IOException | IllegalArgumentException e) {
                problem(fileOf(kind, name) + " " + kind + "/" + name + ": key '" + key + "' is not a properties file: " + firstLine(e.getMessage()));
                continue;
            }
            String from = " (" + kind + " " + name + " in " + fileOf(kind, name) + ", mounted as " + CONFIG_DIR + "/application.properties)";
            p.stringPropertyNames().forEach(k -> out.put(ServiceConfig.withoutProfile(k), from));
        }
        return out;
    }

    private static String dataOf(HasMetadata r, String key) {
        if (r instanceof Secret s) {
            if (s.getStringData() != null && s.getStringData().containsKey(key)) {
                return s.getStringData().get(key);
            }
            if (s.getData() != null && s.getData().containsKey(key)) {
                return new String(Base64.getMimeDecoder().decode(s.getData().get(key)), java.nio.charset.StandardCharsets.UTF_8);
            }
        } else if (r instanceof ConfigMap cm && cm.getData() != null) {
            return cm.getData().get(key);
        }
        return null;
    }

    /**
     * What one service reads, derived from its module's sources (its classes are not on this module's test
     * classpath, so the sources are parsed as text):
     * <ul>
     * <li>{@code src/main/resources/application.properties}: its keys (profile removed; the part before a quoted
     * segment is a map), and the names its values reference: {@code ${NAME}} / {@code ${NAME:default}} read an
     * env var of exactly that name;</li>
     * <li>the {@code @ConfigMapping} interfaces under {@code src/main/java}: prefix + method names in kebab-case
     * (or the mapping's naming strategy), nested group interfaces of the same file (also inside Optional),
     * {@code @WithName}, {@code @WithParentName}, {@code @WithDefault}; Map properties and lists of groups take
     * any name below them, lists of values are also set as one comma-separated value. A group interface declared
     * in another file is taken for a single value.</li>
     * </ul>
     * An env var is read when its name is referenced, or is the env form of a property (SmallRye Config: every
     * character other than A-Z, a-z, 0-9 becomes '_', then upper case; {@code a.b-c} → {@code A_B_C},
     * {@code a."k"} → {@code A__K_}), or starts with the env form of a map property and '_'.
     */
    record ServiceConfig(String module, String propertiesFile, Set<String> mapped, Set<String> mappedPrefixes,
            List<String> mappingRoots, Set<String> declared, Set<String> declaredPrefixes, Set<String> referenced,
            Map<String, String> values, Map<String, String> defaults, List<String> problems) {

        private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^:}${]+)");
        private static final Pattern ENV_LIKE = Pattern.compile("[A-Z][A-Z0-9_]*");
        /** A production default that cannot work in a pod: relative to the read-only /deployments, or this host. */
        private static final Pattern LOCAL_ONLY = Pattern.compile("(^|[:=,\\s])\\.ragtune/|localhost|127\\.0\\.0\\.1");
        private static final Pattern MAPPING = Pattern.compile("@(?:io\\.smallrye\\.config\\.)?ConfigMapping\\s*\\(((?:\"(?:[^\"\\\\]|\\\\.)*\"|[^()\"])*)\\)");
        private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)[^{;]*\\{");
        private static final Pattern ANNOTATION = Pattern.compile("@([\\w.]+)\\s*(\\((?:\"(?:[^\"\\\\]|\\\\.)*\"|[^()\"])*\\))?");
        private static final Pattern METHOD = Pattern.compile("(?s)(.+?)\\s*\\b(\\w+)\\s*\\(\\s*\\)\\s*(?:throws\\b.*)?");
        private static final Set<String> MAPS = Set.of("Map", "SortedMap", "NavigableMap", "HashMap", "TreeMap");
        private static final Set<String> COLLECTIONS = Set.of("List", "Set", "Collection", "SortedSet", "NavigableSet");

        /** The module's configuration, or empty when it has no src/main/resources/application.properties. */
        static Optional<ServiceConfig> load(Path repo, String module) {
            Path props = repo.resolve(module).resolve("src/main/resources/application.properties");
            if (!Files.isRegularFile(props)) {
                return Optional.empty();
            }
            var c = new ServiceConfig(module, module + "/src/main/resources/application.properties", new TreeSet<>(), new TreeSet<>(),
                    new ArrayList<>(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), new TreeMap<>(), new TreeMap<>(), new ArrayList<>());
            try {
                Properties p = new Properties();
                try (var r = Files.newBufferedReader(props)) {
                    p.load(r);
                }
                Map<String, String> withDefaults = new TreeMap<>();
                c.parseMappings(repo.resolve(module).resolve("src/main/java"), withDefaults);
                List<String> keys = new ArrayList<>(new TreeSet<>(p.stringPropertyNames()));
                // profile-less values first, %prod ones override them; %dev/%test values are not production defaults
                keys.sort(Comparator.comparing((String k) -> k.startsWith("%")));
                for (String k : keys) {
                    String base = withoutProfile(k);
                    String value = p.getProperty(k);
                    c.declared.add(base);
                    int quote = base.indexOf('"');
                    if (quote > 0) {
                        c.declaredPrefixes.add(base.substring(0, quote).replaceFirst("\\.$", ""));
                    }
                    Matcher m = REFERENCE.matcher(value);
                    while (m.find()) {
                        c.referenced.add(m.group(1).trim());
                    }
                    if (!k.startsWith("%") || profiles(k).contains("prod")) {
                        c.values.put(base, value);
                    }
                    if (c.mappingRoots.stream().anyMatch(root -> base.startsWith(root + ".")) && !c.mappingReads(base)) {
                        c.problems.add(c.propertiesFile + ": '" + k + "' is under the @ConfigMapping prefix "
                                + c.mappingRoots.stream().filter(root -> base.startsWith(root + ".")).toList()
                                + " but no method of " + module + "'s @ConfigMapping interfaces reads it");
                    }
                }
                c.defaults.putAll(withDefaults);
                c.defaults.putAll(c.values);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Optional.of(c);
        }

        static String withoutProfile(String key) {
            return key.startsWith("%") && key.indexOf('.') > 0 ? key.substring(key.indexOf('.') + 1) : key;
        }

        private static List<String> profiles(String key) {
            return List.of(key.substring(1, key.indexOf('.')).split(","));
        }

        /** The env var SmallRye Config reads for a property. */
        static String envName(String property) {
            return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
        }

        /** SmallRye's KEBAB_CASE naming of a mapping method: maxTopK → max-top-k, baseURLPath → base-url-path. */
        static String kebab(String name) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < name.length(); i++) {
                char ch = name.charAt(i);
                if (Character.isUpperCase(ch)) {
                    boolean prevNotUpper = i > 0 && !Character.isUpperCase(name.charAt(i - 1));
                    boolean nextLower = i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
                    if (i > 0 && (prevNotUpper || nextLower)) {
                        b.append('-');
                    }
                    b.append(Character.toLowerCase(ch));
                } else {
                    b.append(ch);
                }
            }
            return b.toString();
        }

        /** Whether a property (of a properties file) is read by a @ConfigMapping. */
        boolean mappingReads(String key) {
            return mapped.contains(key) || under(key, mappedPrefixes);
        }

        /** Whether the service reads a property: a @ConfigMapping property or a key of its application.properties. */
        boolean readsProperty(String key) {
            String k = withoutProfile(key);
            return mappingReads(k) || declared.contains(k) || under(k, declaredPrefixes);
        }

        private static boolean under(String key, Set<String> prefixes) {
            return prefixes.stream().anyMatch(p -> key.startsWith(p + ".") || key.startsWith(p + "["));
        }

        /** Whether an env var of this name reaches the service. */
        boolean readsEnv(String name) {
            if (referenced.contains(name) || envNames().contains(name)) {
                return true;
            }
            return Stream.concat(mappedPrefixes.stream(), declaredPrefixes.stream()).anyMatch(p -> name.startsWith(envName(p) + "_"));
        }

        /** Env names of every single-valued property the service reads. */
        Set<String> envNames() {
            Set<String> out = new TreeSet<>();
            Stream.concat(mapped.stream(), declared.stream()).map(ServiceConfig::envName).forEach(out::add);
            return out;
        }

        /** The env vars that set a property: those its application.properties value references, then its own env name. */
        Set<String> envNamesOf(String property) {
            Set<String> out = new LinkedHashSet<>();
            Matcher m = REFERENCE.matcher(values.getOrDefault(property, ""));
            while (m.find()) {
                if (ENV_LIKE.matcher(m.group(1).trim()).matches()) {
                    out.add(m.group(1).trim());
                }
            }
            out.add(envName(property));
            return out;
        }

        /** Properties whose production default works only on a developer's machine, with that default. */
        Map<String, String> localDefaults() {
            Map<String, String> out = new TreeMap<>();
            defaults.forEach((k, v) -> {
                if (LOCAL_ONLY.matcher(v).find() && !k.contains("\"")) {
                    out.put(k, v);
                }
            });
            return out;
        }

        /** " (did you mean X?)" for the closest name the service reads, when it is a typo away. */
        String suggestion(String name) {
            String best = null;
            int bestDistance = Integer.MAX_VALUE;
            Set<String> candidates = new TreeSet<>(envNames());
            referenced.stream().filter(r -> ENV_LIKE.matcher(r).matches()).forEach(candidates::add);
            for (String c : candidates) {
                int d = distance(name, c);
                if (d < bestDistance) {
                    best = c;
                    bestDistance = d;
                }
            }
            return best != null && bestDistance <= 3 ? " (did you mean " + best + "?)" : "";
        }

        private static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                prev[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }

        // ------------------------------------------------------------ @ConfigMapping sources

        private void parseMappings(Path javaRoot, Map<String, String> withDefaults) throws IOException {
            if (!Files.isDirectory(javaRoot)) {
                return;
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(javaRoot)) {
                files = s.filter(f -> f.toString().endsWith(".java")).sorted().toList();
            }
            for (Path f : files) {
                String source = Files.readString(f);
                if (!source.contains("ConfigMapping")) {
                    continue;
                }
                String code = stripComments(source);
                Map<String, String> interfaces = new LinkedHashMap<>();
                Matcher im = INTERFACE.matcher(code);
                while (im.find()) {
                    int open = im.end() - 1;
                    interfaces.putIfAbsent(im.group(1), code.substring(open + 1, close(code, open)));
                }
                Matcher m = MAPPING.matcher(code);
                while (m.find()) {
                    Matcher prefix = Pattern.compile("prefix\\s*=\\s*\"([^\"]*)\"").matcher(m.group(1));
                    String naming = m.group(1).contains("VERBATIM") ? "verbatim" : m.group(1).contains("SNAKE_CASE") ? "snake" : "kebab";
                    Matcher target = INTERFACE.matcher(code);
                    if (!target.find(m.end()) || !interfaces.containsKey(target.group(1))) {
                        continue;
                    }
                    String root = prefix.find() ? prefix.group(1) : "";
                    if (!mappingRoots.contains(root)) {
                        mappingRoots.add(root);
                    }
                    walk(root, interfaces.get(target.group(1)), interfaces, naming, withDefaults, 0);
                }
            }
        }

        private void walk(String prefix, String body, Map<String, String> interfaces, String naming, Map<String, String> withDefaults, int depth) {
            if (depth > 16) {
                return;
            }
            for (String declaration : declarations(body)) {
                String rest = declaration.trim();
                Map<String, String> annotations = new LinkedHashMap<>();
                Matcher a = ANNOTATION.matcher(rest);
                while (a.lookingAt()) {
                    String simple = a.group(1).substring(a.group(1).lastIndexOf('.') + 1);
                    annotations.put(simple, a.group(2) == null ? "" : stringArgument(a.group(2)));
                    rest = rest.substring(a.end()).trim();
                    a = ANNOTATION.matcher(rest);
                }
                Matcher m = METHOD.matcher(rest);
                if (!m.matches() || rest.matches("(?s).*\\b(static|default|private)\\b.*") || rest.contains("=")) {
                    continue;
                }
                String name = m.group(2);
                String segment = annotations.containsKey("WithParentName") ? null
                        : annotations.containsKey("WithName") ? annotations.get("WithName")
                        : switch (naming) {
                            case "verbatim" -> name;
                            case "snake" -> kebab(name).replace('-', '_');
                            default -> kebab(name);
                        };
                String property = segment == null ? prefix : prefix.isEmpty() ? segment : prefix + "." + segment;
                String type = m.group(1).replaceAll("@[\\w.]+\\s*", "").trim();
                if (rawName(type).equals("Optional")) {
                    type = typeArgument(type);
                }
                String raw = rawName(type);
                if (MAPS.contains(raw)) {
                    mappedPrefixes.add(property);
                } else if (COLLECTIONS.contains(raw) || type.endsWith("[]")) {
                    mappedPrefixes.add(property);
                    if (!interfaces.containsKey(rawName(typeArgument(type)))) {
                        mapped.add(property);
                    }
                } else if (interfaces.containsKey(raw)) {
                    walk(property, interfaces.get(raw), interfaces, naming, withDefaults, depth + 1);
                    continue;
                } else {
                    mapped.add(property);
                }
                if (annotations.containsKey("WithDefault")) {
                    withDefaults.put(property, annotations.get("WithDefault"));
                }
            }
        }

        private static String rawName(String type) {
            String t = type.replaceFirst("(?s)<.*$", "").replace("[]", "").trim();
            return t.substring(t.lastIndexOf('.') + 1);
        }

        private static String typeArgument(String type) {
            int open = type.indexOf('<');
            int close = type.lastIndexOf('>');
            return open < 0 || close < open ? "" : type.substring(open + 1, close).trim();
        }

        private static String stringArgument(String parenthesised) {
            Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(parenthesised);
            return m.find() ? m.group(1).replaceAll("\\\\(.)", "$1") : "";
        }

        /** The member declarations of an interface body at its top level (nested types and method bodies left out). */
        static List<String> declarations(String body) {
            List<String> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (int i = 0; i < body.length(); i++) {
                char ch = body.charAt(i);
                if (ch == '"' || ch == '\'') {
                    int end = literalEnd(body, i);
                    cur.append(body, i, end);
                    i = end - 1;
                } else if (ch == '{') {
                    i = close(body, i);
                    cur.setLength(0);
                } else if (ch == ';') {
                    out.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(ch);
                }
            }
            return out;
        }

        /** Index of the brace that closes the one at {@code open} (string and char literals skipped). */
        private static int close(String s, int open) {
            int depth = 0;
            for (int i = open; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"' || ch == '\'') {
                    i = literalEnd(s, i) - 1;
                } else if (ch == '{') {
                    depth++;
                } else if (ch == '}' && --depth == 0) {
                    return i;
                }
            }
            return s.length();
        }

        /** Index just after the string, text block or char literal starting at {@code i}. */
        private static int literalEnd(String s, int i) {
            if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                return end < 0 ? s.length() : end + 3;
            }
            char quote = s.charAt(i);
            for (int j = i + 1; j < s.length(); j++) {
                char ch = s.charAt(j);
                if (ch == '\\') {
                    j++;
                } else if (ch == quote) {
                    return j + 1;
                }
            }
            return s.length();
        }

        static String stripComments(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"' || ch == '\'') {
                    int end = literalEnd(s, i);
                    b.append(s, i, end);
                    i = end - 1;
                } else if (s.startsWith("//", i)) {
                    int end = s.indexOf('\n', i);
                    i = (end < 0 ? s.length() : end) - 1;
                } else if (s.startsWith("/*", i)) {
                    int end = s.indexOf("*/", i + 2);
                    b.append(' ');
                    i = (end < 0 ? s.length() : end + 2) - 1;
                } else {
                    b.append(ch);
                }
            }
            return b.toString();
        }
    }

    private void checkImagesListed(Doc k) {
        Set<String> names = new TreeSet<>();
        k.tree().path("images").forEach(n -> names.add(n.path("name").asText()));
        for (Workload w : workloads) {
            for (Container c : w.template().getSpec().getContainers()) {
                String image = c.getImage() == null ? "" : c.getImage().replaceFirst("[:@].*$", "");
                if (!names.contains(image)) {
                    problem(w.doc().where() + ": image '" + image + "' has no entry in kustomization.yaml images (tags are set there)");
                }
            }
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
