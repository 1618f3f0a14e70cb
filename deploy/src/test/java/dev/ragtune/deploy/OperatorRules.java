package dev.ragtune.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.RuleGroup;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;

import dev.ragtune.deploy.ManifestValidator.Doc;

/**
 * The project's rules for the operators' resources: Kafka (KRaft node pools with controllers and brokers, a
 * topic operator, replication that survives one broker down, topics that fit the brokers), CloudNativePG
 * (database owners are roles, Secrets of the right type and keys, backups on a cluster and plugin that
 * exist) and monitoring (ServiceMonitors on named Service ports, alerts with a severity and balanced PromQL).
 */
final class OperatorRules {

    private OperatorRules() {
    }

    static void check(ManifestValidator m) {
        m.typed.forEach((doc, r) -> {
            switch (r) {
                case Kafka k -> kafka(m, doc, k);
                case KafkaNodePool p -> nodePool(m, doc, p);
                case KafkaTopic t -> topic(m, doc, t);
                case ServiceMonitor s -> serviceMonitor(m, doc, s);
                case PrometheusRule p -> prometheusRule(m, doc, p);
                default -> { }
            }
        });
        for (Kafka k : m.all(Kafka.class)) {
            String name = k.getMetadata().getName();
            if (nodes(m, name, ProcessRoles.CONTROLLER) < 1 || nodes(m, name, ProcessRoles.BROKER) < 1) {
                m.problem("Kafka/" + name + ": KRaft needs KafkaNodePools (label strimzi.io/cluster: " + name
                        + ") with at least one controller and one broker");
            }
        }
        m.untyped("Cluster").forEach(d -> cnpgCluster(m, d));
        m.untyped("Database").forEach(d -> cnpgDatabase(m, d));
        m.untyped("ScheduledBackup").forEach(d -> scheduledBackup(m, d));
        for (Doc d : m.untyped("ObjectStore")) {
            JsonNode conf = d.tree().path("spec").path("configuration");
            if (conf.path("destinationPath").asText("").isBlank()) {
                m.problem(d.where() + ": spec.configuration.destinationPath is required");
            }
            for (String k : List.of("accessKeyId", "secretAccessKey")) {
                JsonNode ref = conf.path("s3Credentials").path(k);
                if (!ref.isMissingNode()) {
                    secretRef(m, d, "spec.configuration.s3Credentials." + k, ref, null, ref.path("key").asText());
                }
            }
        }
    }

    // ---------------------------------------------------------------- Strimzi

    private static void kafka(ManifestValidator m, Doc doc, Kafka k) {
        var spec = k.getSpec();
        if (spec == null || spec.getKafka() == null) {
            m.problem(doc.where() + ": spec.kafka is required");
            return;
        }
        List<GenericKafkaListener> listeners = spec.getKafka().getListeners();
        if (listeners == null || listeners.isEmpty()) {
            m.problem(doc.where() + ": spec.kafka.listeners is required");
        } else {
            listeners.stream().filter(l -> l.getName() == null || !l.getName().matches("[a-z0-9]{1,11}") || l.getType() == null || l.getPort() < 9092)
                    .forEach(l -> m.problem(doc.where() + ": listener " + l.getName()
                            + " needs a name of 1-11 lower-case letters/digits, a type and a port >= 9092"));
        }
        if (spec.getEntityOperator() == null || spec.getEntityOperator().getTopicOperator() == null) {
            m.problem(doc.where() + ": spec.entityOperator.topicOperator is required, or the KafkaTopic resources are never created");
        }
        var config = spec.getKafka().getConfig();
        if (config != null && config.get("min.insync.replicas") instanceof Number isr
                && config.get("default.replication.factor") instanceof Number rf && isr.intValue() >= rf.intValue()) {
            m.problem(doc.where() + ": min.insync.replicas must be lower than default.replication.factor, or one broker down stops all writes");
        }
    }

    private static Optional<String> cluster(ManifestValidator m, Doc doc, HasMetadata r) {
        String cluster = r.getMetadata().getLabels() == null ? null : r.getMetadata().getLabels().get("strimzi.io/cluster");
        if (cluster == null) {
            m.problem(doc.where() + ": label strimzi.io/cluster is required");
        } else if (!m.exists("Kafka", cluster)) {
            m.problem(doc.where() + ": label strimzi.io/cluster names Kafka '" + cluster + "' which is not in the manifests");
            cluster = null;
        }
        return Optional.ofNullable(cluster);
    }

    private static void nodePool(ManifestValidator m, Doc doc, KafkaNodePool p) {
        cluster(m, doc, p);
        var spec = p.getSpec();
        if (spec == null) {
            m.problem(doc.where() + ": spec is required");
            return;
        }
        if (spec.getReplicas() < 1) {
            m.problem(doc.where() + ": spec.replicas must be at least 1");
        }
        if (spec.getRoles() == null || spec.getRoles().isEmpty()) {
            m.problem(doc.where() + ": spec.roles is required (controller and/or broker)");
        }
        if (spec.getStorage() == null) {
            m.problem(doc.where() + ": spec.storage is required");
        }
    }

    /** Nodes of a Kafka cluster in a role, over its node pools. */
    private static int nodes(ManifestValidator m, String cluster, ProcessRoles role) {
        return m.all(KafkaNodePool.class).stream()
                .filter(p -> p.getMetadata().getLabels() != null && cluster.equals(p.getMetadata().getLabels().get("strimzi.io/cluster")))
                .filter(p -> p.getSpec() != null && p.getSpec().getRoles() != null && p.getSpec().getRoles().contains(role))
                .mapToInt(p -> p.getSpec().getReplicas()).sum();
    }

    private static void topic(ManifestValidator m, Doc doc, KafkaTopic t) {
        Optional<String> cluster = cluster(m, doc, t);
        var spec = t.getSpec();
        if (spec == null || spec.getPartitions() == null || spec.getPartitions() < 1 || spec.getReplicas() == null || spec.getReplicas() < 1) {
            m.problem(doc.where() + ": spec.partitions and spec.replicas (at least 1) are required");
            return;
        }
        if (cluster.isPresent() && spec.getReplicas() > nodes(m, cluster.get(), ProcessRoles.BROKER)) {
            m.problem(doc.where() + ": " + spec.getReplicas() + " replicas but Kafka '" + cluster.get() + "' has only "
                    + nodes(m, cluster.get(), ProcessRoles.BROKER) + " brokers");
        }
        if (spec.getConfig() != null && spec.getConfig().get("min.insync.replicas") instanceof Number isr && isr.intValue() >= spec.getReplicas()) {
            m.problem(doc.where() + ": min.insync.replicas " + isr + " must be lower than replicas " + spec.getReplicas());
        }
    }

    /** Topic names as the broker sees them (spec.topicName, else metadata.name). */
    static Set<String> topicNames(ManifestValidator.Result r) {
        return r.all(KafkaTopic.class).stream()
                .map(t -> t.getSpec() != null && t.getSpec().getTopicName() != null ? t.getSpec().getTopicName() : t.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    // ---------------------------------------------------------------- CloudNativePG (trees: no model)

    private static void secretRef(ManifestValidator m, Doc doc, String path, JsonNode ref, String type, String... keys) {
        String name = ref.path("name").asText(null);
        Optional<HasMetadata> s = m.find("Secret", name);
        if (name == null) {
            m.problem(doc.where() + ": " + path + ".name is required");
        } else if (s.isEmpty()) {
            m.problem(doc.where() + ": " + path + " references Secret '" + name + "' which is not in the manifests");
        } else {
            if (type != null && !type.equals(((Secret) s.get()).getType())) {
                m.problem(doc.where() + ": Secret '" + name + "' (" + path + ") must be of type " + type);
            }
            for (String k : keys) {
                if (!m.keysOf("Secret", name).contains(k)) {
                    m.problem(doc.where() + ": Secret '" + name + "' (" + path + ") has no key '" + k + "'");
                }
            }
        }
    }

    /** A basic-auth Secret whose username must be the role it logs in as. */
    private static void loginSecret(ManifestValidator m, Doc doc, String path, JsonNode ref, String role, String whose, String roleIs) {
        secretRef(m, doc, path, ref, "kubernetes.io/basic-auth", "username", "password");
        m.secretValue(ref.path("name").asText(), "username").filter(user -> !user.equals(role)).ifPresent(user ->
                m.problem(doc.where() + ": " + whose + " username '" + user + "' must equal " + roleIs + role + "'"));
    }

    private static void cnpgCluster(ManifestValidator m, Doc doc) {
        JsonNode spec = doc.tree().path("spec");
        if (!spec.path("instances").isInt() || spec.path("instances").asInt() < 1) {
            m.problem(doc.where() + ": spec.instances (an integer >= 1) is required");
        }
        if (spec.path("storage").path("size").asText("").isBlank()) {
            m.problem(doc.where() + ": spec.storage.size is required");
        }
        JsonNode initdb = spec.path("bootstrap").path("initdb");
        if (initdb.has("secret")) {
            loginSecret(m, doc, "spec.bootstrap.initdb.secret", initdb.path("secret"), initdb.path("owner").asText(),
                    "the initdb Secret's", "spec.bootstrap.initdb.owner '");
        }
        int i = 0;
        for (JsonNode role : spec.path("managed").path("roles")) {
            String p = "spec.managed.roles[" + i++ + "]";
            if (role.path("name").asText("").isBlank()) {
                m.problem(doc.where() + ": " + p + ".name is required");
            }
            if (role.has("passwordSecret")) {
                loginSecret(m, doc, p + ".passwordSecret", role.path("passwordSecret"), role.path("name").asText(),
                        p + ": the passwordSecret's", "the role name '");
            }
        }
        i = 0;
        for (JsonNode plugin : spec.path("plugins")) {
            String p = "spec.plugins[" + i++ + "]";
            if (plugin.path("name").asText("").isBlank()) {
                m.problem(doc.where() + ": " + p + ".name is required");
            }
            String store = plugin.path("parameters").path("barmanObjectName").asText(null);
            if ("barman-cloud.cloudnative-pg.io".equals(plugin.path("name").asText()) && (store == null || !m.exists("ObjectStore", store))) {
                m.problem(doc.where() + ": " + p + ".parameters.barmanObjectName must name an ObjectStore in the manifests (is " + store + ")");
            }
        }
    }

    /** Databases the CloudNativePG resources create: name → owner, per cluster. */
    static Map<String, Map<String, String>> databases(ManifestValidator m) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Doc d : m.untyped("Cluster")) {
            JsonNode initdb = d.tree().path("spec").path("bootstrap").path("initdb");
            String db = initdb.path("database").asText("app");
            out.computeIfAbsent(d.name(), k -> new LinkedHashMap<>()).put(db, initdb.path("owner").asText(db));
        }
        for (Doc d : m.untyped("Database")) {
            JsonNode spec = d.tree().path("spec");
            if (!"absent".equals(spec.path("ensure").asText())) {
                out.computeIfAbsent(spec.path("cluster").path("name").asText(), k -> new LinkedHashMap<>())
                        .put(spec.path("name").asText(), spec.path("owner").asText());
            }
        }
        return out;
    }

    private static Set<String> roles(ManifestValidator m, String cluster) {
        Set<String> roles = new TreeSet<>();
        m.untyped("Cluster").stream().filter(d -> d.name().equals(cluster)).forEach(d -> {
            JsonNode initdb = d.tree().path("spec").path("bootstrap").path("initdb");
            roles.add(initdb.path("owner").asText(initdb.path("database").asText("app")));
            d.tree().path("spec").path("managed").path("roles").forEach(r -> {
                if (!"absent".equals(r.path("ensure").asText())) {
                    roles.add(r.path("name").asText());
                }
            });
        });
        return roles;
    }

    private static void cnpgDatabase(ManifestValidator m, Doc doc) {
        JsonNode spec = doc.tree().path("spec");
        String cluster = spec.path("cluster").path("name").asText(null);
        String owner = spec.path("owner").asText("");
        if (spec.path("name").asText("").isBlank() || owner.isBlank() || cluster == null) {
            m.problem(doc.where() + ": spec.name, spec.owner and spec.cluster.name are required");
        } else if (!m.exists("Cluster", cluster)) {
            m.problem(doc.where() + ": spec.cluster.name '" + cluster + "' is not a Cluster in the manifests");
        } else if (!roles(m, cluster).contains(owner)) {
            m.problem(doc.where() + ": owner '" + owner + "' is not a role of Cluster '" + cluster
                    + "' (bootstrap.initdb.owner or managed.roles): " + roles(m, cluster));
        }
    }

    private static void scheduledBackup(ManifestValidator m, Doc doc) {
        JsonNode spec = doc.tree().path("spec");
        String schedule = spec.path("schedule").asText("");
        if (schedule.trim().split("\\s+").length != 6) {
            m.problem(doc.where() + ": spec.schedule must be a six-field cron expression (seconds first), is '" + schedule + "'");
        }
        String cluster = spec.path("cluster").path("name").asText(null);
        if (cluster == null || !m.exists("Cluster", cluster)) {
            m.problem(doc.where() + ": spec.cluster.name must name a Cluster in the manifests (is " + cluster + ")");
        }
        String method = spec.path("method").asText("barmanObjectStore");
        if (!Set.of("barmanObjectStore", "volumeSnapshot", "plugin").contains(method)) {
            m.problem(doc.where() + ": spec.method must be barmanObjectStore, volumeSnapshot or plugin, is '" + method + "'");
        } else if (method.equals("plugin")) {
            String plugin = spec.path("pluginConfiguration").path("name").asText(null);
            boolean onCluster = m.untyped("Cluster").stream().filter(d -> d.name().equals(cluster))
                    .flatMap(d -> StreamSupport.stream(d.tree().path("spec").path("plugins").spliterator(), false))
                    .anyMatch(p -> p.path("name").asText().equals(plugin));
            if (plugin == null || !onCluster) {
                m.problem(doc.where() + ": method plugin needs spec.pluginConfiguration.name of a plugin that Cluster '" + cluster + "' enables");
            }
        }
    }

    // ---------------------------------------------------------------- monitoring

    private static void serviceMonitor(ManifestValidator m, Doc doc, ServiceMonitor sm) {
        List<Service> services = m.all(Service.class).stream()
                .filter(s -> KubernetesRules.matches(sm.getSpec().getSelector(), s.getMetadata().getLabels())).toList();
        if (services.isEmpty()) {
            m.problem(doc.where() + ": selector matches no Service in the manifests");
        }
        for (Endpoint e : sm.getSpec().getEndpoints()) {
            for (Service s : services) {
                if (s.getSpec().getPorts().stream().noneMatch(p -> Objects.equals(e.getPort(), p.getName()))) {
                    m.problem(doc.where() + ": endpoint port '" + e.getPort() + "' is not a named port of Service/" + s.getMetadata().getName());
                }
            }
        }
    }

    private static void prometheusRule(ManifestValidator m, Doc doc, PrometheusRule p) {
        Set<String> alerts = new LinkedHashSet<>();
        for (RuleGroup g : p.getSpec().getGroups()) {
            for (Rule r : g.getRules()) {
                String name = r.getAlert() != null ? r.getAlert() : r.getRecord();
                if (name == null) {
                    m.problem(doc.where() + ": a rule of group " + g.getName() + " has neither alert nor record");
                    continue;
                }
                if (r.getAlert() != null && !alerts.add(r.getAlert())) {
                    m.problem(doc.where() + ": alert " + r.getAlert() + " is defined twice");
                }
                String expr = r.getExpr() == null ? "" : KubernetesRules.portText(r.getExpr());
                if (expr.isBlank()) {
                    m.problem(doc.where() + ": rule " + name + " has no expr");
                } else if (!balanced(expr)) {
                    m.problem(doc.where() + ": rule " + name + " has unbalanced brackets or quotes in expr: " + expr);
                }
                if (r.getAlert() != null && (r.getLabels() == null || !r.getLabels().containsKey("severity"))) {
                    m.problem(doc.where() + ": alert " + name + " has no severity label");
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
            } else if (!inQuote && ")}]".indexOf(ch) >= 0
                    && (stack.isEmpty() || "({[".indexOf(stack.remove(stack.size() - 1)) != ")}]".indexOf(ch))) {
                return false;
            }
        }
        return stack.isEmpty() && !inQuote;
    }
}
