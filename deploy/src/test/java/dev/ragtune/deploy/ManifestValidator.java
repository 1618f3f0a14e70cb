package dev.ragtune.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/**
 * Validates the Kubernetes manifests under a directory (deploy/kubernetes) and returns every problem found,
 * each naming the file, the resource and what is wrong; an empty list means valid.
 * <ul>
 * <li>schema: every YAML document is read strictly into the typed model of its apiVersion/kind by
 * {@link StrictModels} (fabric8 for built-in and Prometheus Operator kinds, Strimzi's io.strimzi:api for
 * Strimzi kinds); CloudNativePG resources, which have no Java model, by {@link CnpgSchema};</li>
 * <li>the project's rules: {@link KubernetesRules} (pods, probes, GPU, references, Services, HPA),
 * {@link OperatorRules} (Kafka, PostgreSQL, monitoring), {@link ServiceEnvRules} (the names each service
 * reads, from {@link ServiceConfig}, and the addresses it is given).</li>
 * </ul>
 * This class reads the files, checks the kustomization and what every resource carries, and holds the
 * lookups the rules share.
 */
final class ManifestValidator {

    static final String NAMESPACE = "ragtune";
    static final String PART_OF = "app.kubernetes.io/part-of";
    /** "apiVersion kind" of the resources without a Java model. */
    static final Set<String> UNTYPED = CnpgSchema.KINDS;

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

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    private static final Set<String> KUSTOMIZATION_FIELDS = Set.of("apiVersion", "kind", "metadata", "namespace",
            "resources", "images", "labels", "commonAnnotations", "patches", "components", "configMapGenerator",
            "secretGenerator", "generatorOptions", "replicas", "namePrefix", "nameSuffix");

    final Path dir;
    final Path repo;
    final List<String> problems = new ArrayList<>();
    final List<Doc> docs = new ArrayList<>();
    final Map<Doc, HasMetadata> typed = new LinkedHashMap<>();
    final List<Workload> workloads = new ArrayList<>();

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

    void problem(String message) {
        problems.add(message);
    }

    private void run() {
        List<String> files = yamlFiles();
        Doc kustomization = null;
        for (String file : files) {
            for (Doc doc : parse(file)) {
                if (doc.kind().equals("Kustomization")) {
                    kustomization = doc;
                } else {
                    docs.add(doc);
                }
            }
        }
        checkKustomization(kustomization, files);
        Set<String> names = new LinkedHashSet<>();
        for (Doc doc : docs) {
            checkIdentity(doc);
            if (!names.add(doc.kind() + "/" + doc.name())) {
                problem(doc.where() + ": another " + doc.kind() + " has the same name");
            }
            deserialize(doc);
        }
        typed.forEach((doc, r) -> {
            if (r instanceof Deployment d) {
                workloads.add(new Workload(doc, "Deployment", d.getMetadata().getName(), d.getSpec().getReplicas(),
                        d.getSpec().getSelector(), d.getSpec().getTemplate()));
            } else if (r instanceof StatefulSet s) {
                workloads.add(new Workload(doc, "StatefulSet", s.getMetadata().getName(), s.getSpec().getReplicas(),
                        s.getSpec().getSelector(), s.getSpec().getTemplate()));
            }
        });
        KubernetesRules.check(this);
        OperatorRules.check(this);
        ServiceEnvRules.check(this);
        if (kustomization != null) {
            checkImagesListed(kustomization);
        }
    }

    // ---------------------------------------------------------------- files, kustomization, identity, schema

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

    private List<Doc> parse(String file) {
        List<Doc> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(dir.resolve(file).toFile())) {
            for (int i = 0; it.hasNextValue(); i++) {
                JsonNode n = it.nextValue();
                if (n instanceof ObjectNode o) {
                    out.add(new Doc(file, i, o));
                } else if (n != null && !n.isNull() && !n.isMissingNode()) {
                    problem(file + " (document " + (i + 1) + "): not a YAML mapping");
                }
            }
        } catch (IOException | RuntimeException e) {
            problem(file + ": does not parse as YAML: " + firstLine(e.getMessage()));
        }
        if (out.isEmpty()) {
            problem(file + ": contains no Kubernetes resource");
        }
        return out;
    }

    /** Kustomize publishes no Java model: its fields are checked against the list of those kustomize knows. */
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
        k.tree().fieldNames().forEachRemaining(f -> {
            if (!KUSTOMIZATION_FIELDS.contains(f)) {
                problem(k.file() + ": unknown Kustomization field '" + f + "'");
            }
        });
        if (!NAMESPACE.equals(k.tree().path("namespace").asText())) {
            problem(k.file() + ": namespace must be '" + NAMESPACE + "'");
        }
        Set<String> manifests = new TreeSet<>(files);
        manifests.remove(k.file());
        Set<String> listed = new LinkedHashSet<>();
        for (JsonNode n : k.tree().path("resources")) {
            if (!listed.add(n.asText())) {
                problem(k.file() + ": resource '" + n.asText() + "' is listed twice");
            }
            if (!manifests.contains(n.asText())) {
                problem(k.file() + ": lists '" + n.asText() + "' which does not exist");
            }
        }
        manifests.stream().filter(f -> !listed.contains(f))
                .forEach(f -> problem(k.file() + ": does not list '" + f + "' (every manifest must be applied)"));
    }

    private void checkImagesListed(Doc k) {
        Set<String> names = new TreeSet<>();
        k.tree().path("images").forEach(n -> names.add(n.path("name").asText()));
        for (Workload w : workloads) {
            w.template().getSpec().getContainers().stream()
                    .map(c -> c.getImage() == null ? "" : c.getImage().replaceFirst("[:@].*$", ""))
                    .filter(image -> !names.contains(image))
                    .forEach(image -> problem(w.doc().where() + ": image '" + image
                            + "' has no entry in kustomization.yaml images (tags are set there)"));
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

    private void deserialize(Doc doc) {
        if (UNTYPED.contains(doc.key())) {
            CnpgSchema.check(doc.kind(), doc.tree()).forEach(p -> problem(doc.where() + ": " + p));
            return;
        }
        Class<? extends HasMetadata> type = StrictModels.modelOf(doc.apiVersion(), doc.kind());
        if (type == null) {
            problem(doc.where() + ": no model for apiVersion '" + doc.apiVersion() + "' kind '" + doc.kind()
                    + "' (fabric8 models the built-in and Prometheus Operator kinds, io.strimzi:api the Strimzi kinds,"
                    + " CnpgSchema " + UNTYPED + ")");
            return;
        }
        var read = StrictModels.read(doc.tree(), type);
        read.problems().forEach(p -> problem(doc.where() + ": " + p));
        if (read.model() != null) {
            typed.put(doc, read.model());
        }
    }

    // ---------------------------------------------------------------- lookups the rules share

    <T> List<T> all(Class<T> type) {
        return typed.values().stream().filter(type::isInstance).map(type::cast).toList();
    }

    Optional<HasMetadata> find(String kind, String name) {
        return typed.values().stream()
                .filter(r -> r.getKind().equals(kind) && name != null && name.equals(r.getMetadata().getName()))
                .findFirst();
    }

    boolean exists(String kind, String name) {
        return docs.stream().anyMatch(d -> d.kind().equals(kind) && d.name().equals(name));
    }

    /** The documents of a kind without a model (CloudNativePG). */
    List<Doc> untyped(String kind) {
        return docs.stream().filter(d -> UNTYPED.contains(d.key()) && d.kind().equals(kind)).toList();
    }

    String fileOf(String kind, String name) {
        return docs.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).map(Doc::file).findFirst().orElse("?");
    }

    /** The keys of a ConfigMap or Secret of the manifests (none when it is not there). */
    Set<String> keysOf(String kind, String name) {
        Set<String> keys = new TreeSet<>();
        find(kind, name).ifPresent(r -> {
            if (r instanceof ConfigMap cm) {
                Optional.ofNullable(cm.getData()).ifPresent(d -> keys.addAll(d.keySet()));
                Optional.ofNullable(cm.getBinaryData()).ifPresent(d -> keys.addAll(d.keySet()));
            } else if (r instanceof Secret s) {
                Optional.ofNullable(s.getData()).ifPresent(d -> keys.addAll(d.keySet()));
                Optional.ofNullable(s.getStringData()).ifPresent(d -> keys.addAll(d.keySet()));
            }
        });
        return keys;
    }

    /** The text of a key of a ConfigMap or Secret (Secret data decoded), or null. */
    static String valueOf(HasMetadata r, String key) {
        if (r instanceof Secret s) {
            if (s.getStringData() != null && s.getStringData().containsKey(key)) {
                return s.getStringData().get(key);
            }
            if (s.getData() != null && s.getData().containsKey(key)) {
                return new String(Base64.getMimeDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
            }
        } else if (r instanceof ConfigMap cm && cm.getData() != null) {
            return cm.getData().get(key);
        }
        return null;
    }

    Optional<String> secretValue(String secret, String key) {
        return find("Secret", secret).map(s -> valueOf(s, key));
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
