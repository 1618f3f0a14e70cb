package dev.ragtune.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * The schema of the CloudNativePG resources, which no Java model on Maven Central has: an explicit allow-list
 * of the fields the manifests use (names from the CRDs of CloudNativePG 1.26+ and plugin-barman-cloud 0.x).
 * Any other field is reported as unknown, so a misspelling fails, and so does a new field until it is added
 * here from the CRD. Kubernetes types inside these resources (metadata, resources) are read by {@link StrictModels}.
 */
final class CnpgSchema {

    static final Set<String> KINDS = Set.of("postgresql.cnpg.io/v1 Cluster", "postgresql.cnpg.io/v1 Database",
            "postgresql.cnpg.io/v1 ScheduledBackup", "barmancloud.cnpg.io/v1 ObjectStore");

    private static final Map<String, Class<?>> KUBERNETES = Map.of("metadata", ObjectMeta.class,
            "Cluster spec.resources", ResourceRequirements.class);
    /** Maps with keys of the user's choosing. */
    private static final Set<String> FREE = Set.of("Cluster spec.postgresql.parameters", "Cluster spec.plugins[].parameters");
    /** The fields of each object, by "kind path" ([] for the elements of a list); "" is the top level of every kind. */
    private static final Map<String, Set<String>> FIELDS = Map.ofEntries(
            fields("", "apiVersion kind metadata spec"),
            fields("Cluster spec", "instances imageName primaryUpdateStrategy storage walStorage postgresql resources affinity"
                    + " bootstrap managed plugins"),
            fields("Cluster spec.storage", "size storageClass"),
            fields("Cluster spec.walStorage", "size storageClass"),
            fields("Cluster spec.postgresql", "parameters"),
            fields("Cluster spec.affinity", "enablePodAntiAffinity topologyKey"),
            fields("Cluster spec.bootstrap", "initdb"),
            fields("Cluster spec.bootstrap.initdb", "database owner secret"),
            fields("Cluster spec.bootstrap.initdb.secret", "name"),
            fields("Cluster spec.managed", "roles"),
            fields("Cluster spec.managed.roles[]", "name ensure login passwordSecret"),
            fields("Cluster spec.managed.roles[].passwordSecret", "name"),
            fields("Cluster spec.plugins[]", "name enabled isWALArchiver parameters"),
            fields("Database spec", "name owner ensure databaseReclaimPolicy cluster"),
            fields("Database spec.cluster", "name"),
            fields("ScheduledBackup spec", "schedule suspend immediate backupOwnerReference method pluginConfiguration cluster"),
            fields("ScheduledBackup spec.pluginConfiguration", "name"),
            fields("ScheduledBackup spec.cluster", "name"),
            fields("ObjectStore spec", "retentionPolicy configuration"),
            fields("ObjectStore spec.configuration", "destinationPath endpointURL s3Credentials wal data"),
            fields("ObjectStore spec.configuration.s3Credentials", "accessKeyId secretAccessKey"),
            fields("ObjectStore spec.configuration.s3Credentials.accessKeyId", "name key"),
            fields("ObjectStore spec.configuration.s3Credentials.secretAccessKey", "name key"),
            fields("ObjectStore spec.configuration.wal", "compression"),
            fields("ObjectStore spec.configuration.data", "compression"));

    private CnpgSchema() {
    }

    private static Map.Entry<String, Set<String>> fields(String key, String names) {
        return Map.entry(key, Set.of(names.split(" ")));
    }

    /** The schema problems of a resource of {@code kind} (one of {@link #KINDS}), each naming the field. */
    static List<String> check(String kind, JsonNode tree) {
        List<String> problems = new ArrayList<>();
        walk(kind, "", tree, problems);
        return problems;
    }

    private static void walk(String kind, String path, JsonNode node, List<String> problems) {
        String schema = path.replaceAll("\\[\\d+]", "[]");
        String key = path.isEmpty() ? "" : kind + " " + schema;
        Class<?> kubernetes = KUBERNETES.containsKey(schema) ? KUBERNETES.get(schema) : KUBERNETES.get(key);
        if (kubernetes != null) {
            problems.addAll(StrictModels.read(node, kubernetes, path).problems());
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(kind, path + "[" + i + "]", node.get(i), problems);
            }
        } else if (FIELDS.containsKey(key) && !node.isObject()) {
            problems.add("'" + path + "' must be a mapping");
        } else if (node.isObject() && !FREE.contains(key)) {
            Set<String> fields = FIELDS.get(key);
            if (fields == null) {
                problems.add("'" + path + "' is not checked: CnpgSchema lists no fields for " + key + " (add them from the CRD)");
                return;
            }
            node.properties().forEach(e -> {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (fields.contains(e.getKey())) {
                    walk(kind, p, e.getValue(), problems);
                } else {
                    problems.add("unknown field '" + p + "' (not among CnpgSchema's fields of " + (path.isEmpty() ? kind : key) + ")");
                }
            });
        }
    }
}
