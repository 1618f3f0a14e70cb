package dev.ragtune.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.strimzi.api.kafka.model.kafka.Kafka;

import dev.ragtune.deploy.ManifestValidator.Workload;

/**
 * The project's rules for what each service container is given.
 * <p>Names: a container whose image is built from a module of the repository (image {@code .../<module>:tag})
 * is configured only with names that module reads ({@link ServiceConfig}), and sets every setting whose
 * default works only on a developer's machine:
 * <ul>
 * <li>every {@code RAGTUNE_*}/{@code QUARKUS_*} env var (env, and the keys of ConfigMaps/Secrets pulled
 * with envFrom, with its prefix) is read by the service;</li>
 * <li>every property of an application.properties mounted at {@value #CONFIG_DIR} (the API key Secrets)
 * is read by the service;</li>
 * <li>every property whose production default is a {@code .ragtune/} path (relative to the read-only
 * /deployments) or a localhost address is set, by env or by the mounted file.</li>
 * </ul>
 * <p>Addresses: every *_DB_URL points at a CloudNativePG read-write Service and a database that exists, and
 * the matching *_DB_USER comes from a Secret whose username owns that database; every RAGTUNE_KAFKA_BOOTSTRAP
 * is the bootstrap Service of a Kafka in the manifests on a plain listener port; every *_REGISTRY_URL /
 * *_PUBLIC_URL names a Service port.
 */
final class ServiceEnvRules {

    /** Quarkus reads $PWD/config/application.properties (ordinal 260); the images' WORKDIR is /deployments. */
    static final String CONFIG_DIR = "/deployments/config";
    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([a-z0-9.-]+):(\\d+)/([A-Za-z0-9_]+).*");
    private static final Pattern BOOTSTRAP = Pattern.compile("([a-z0-9-]+)-kafka-bootstrap(\\.[a-z0-9.-]+)?:(\\d+)");
    private static final Pattern SERVICE_URL = Pattern.compile("https?://([a-z0-9-]+)(\\.[a-z0-9.-]+)?:(\\d+)/?");

    private ServiceEnvRules() {
    }

    static void check(ManifestValidator m) {
        Map<String, Optional<ServiceConfig>> services = new TreeMap<>();
        Map<String, Map<String, String>> databases = OperatorRules.databases(m);
        for (Workload w : m.workloads) {
            if (w.template() == null || w.template().getSpec() == null || w.template().getSpec().getContainers() == null) {
                continue;
            }
            for (Container c : w.template().getSpec().getContainers()) {
                String cw = w.doc().where() + " container '" + c.getName() + "'";
                addresses(m, cw, c, databases);
                String module = moduleOf(m, c.getImage());
                if (module == null) {
                    continue;
                }
                Optional<ServiceConfig> config = services.computeIfAbsent(module, mod -> {
                    Optional<ServiceConfig> sc = ServiceConfig.load(m.repo, mod);
                    sc.ifPresent(s -> s.problems().forEach(m::problem));
                    return sc;
                });
                if (config.isEmpty()) {
                    m.problem(cw + ": image '" + c.getImage() + "' is built from module '" + module + "' but " + module
                            + "/src/main/resources/application.properties does not exist, so the names it reads are unknown");
                } else {
                    names(m, w, cw, c, module, config.get());
                }
            }
        }
    }

    // ---------------------------------------------------------------- configuration names

    private static void names(ManifestValidator m, Workload w, String cw, Container c, String module, ServiceConfig config) {
        Map<String, String> env = new LinkedHashMap<>();   // name → where it comes from
        for (EnvFromSource ef : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
            String prefix = ef.getPrefix() == null ? "" : ef.getPrefix();
            if (ef.getConfigMapRef() != null) {
                envFrom(m, env, prefix, "ConfigMap", ef.getConfigMapRef().getName());
            }
            if (ef.getSecretRef() != null) {
                envFrom(m, env, prefix, "Secret", ef.getSecretRef().getName());
            }
        }
        Optional.ofNullable(c.getEnv()).orElse(List.of()).forEach(e -> env.put(e.getName(), ""));
        env.forEach((name, from) -> {
            if ((name.startsWith("RAGTUNE_") || name.startsWith("QUARKUS_")) && !config.readsEnv(name)) {
                m.problem(cw + ": env " + name + from + " is not read by " + module + ": no property of " + module
                        + " has this env name and " + config.propertiesFile() + " does not reference ${" + name + "}"
                        + config.suggestion(name));
            }
        });
        Map<String, String> mounted = mountedProperties(m, w, c);
        mounted.forEach((key, from) -> {
            if (!config.readsProperty(key)) {
                m.problem(cw + ": property '" + key + "'" + from + " is not read by " + module
                        + " (neither a key of " + config.propertiesFile() + " nor a property of its @ConfigMapping interfaces)");
            }
        });
        config.localDefaults().forEach((property, value) -> {
            Set<String> setters = config.envNamesOf(property);
            if (setters.stream().noneMatch(env::containsKey) && !mounted.containsKey(property)) {
                m.problem(cw + ": " + property + " is not set and its default '" + value + "' works only on a developer's machine"
                        + " (a .ragtune/ path under the read-only /deployments, or localhost): set env " + String.join(" or ", setters));
            }
        });
    }

    private static void envFrom(ManifestValidator m, Map<String, String> env, String prefix, String kind, String name) {
        m.keysOf(kind, name).forEach(k -> env.put(prefix + k, " (key of " + kind + " " + name + " in " + m.fileOf(kind, name) + ", envFrom)"));
    }

    /** The module an image is built from: the last path segment of its name, for images of ragtune or of a module folder. */
    private static String moduleOf(ManifestValidator m, String image) {
        if (image == null || image.isBlank()) {
            return null;
        }
        String name = image.replaceFirst("@.*$", "");
        int slash = name.lastIndexOf('/');
        int colon = name.indexOf(':', slash + 1);
        String last = (colon < 0 ? name : name.substring(0, colon)).substring(slash + 1);
        boolean ours = name.contains("ragtune/") || Files.isDirectory(m.repo.resolve(last).resolve("src/main"));
        return ours && last.matches("[a-z0-9][a-z0-9-]*") ? last : null;
    }

    /** Properties of an application.properties mounted into {@value #CONFIG_DIR} from a Secret or ConfigMap, by name (profile removed) → where. */
    private static Map<String, String> mountedProperties(ManifestValidator m, Workload w, Container c) {
        Map<String, String> out = new TreeMap<>();
        List<Volume> volumes = Optional.ofNullable(w.template().getSpec().getVolumes()).orElse(List.of());
        for (VolumeMount vm : Optional.ofNullable(c.getVolumeMounts()).orElse(List.of())) {
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
            String text = key == null ? null : m.find(kind, name).map(r -> ManifestValidator.valueOf(r, key)).orElse(null);
            if (text == null) {
                continue;
            }
            Properties p = new Properties();
            try {
                p.load(new StringReader(text));
            } catch (IOException | IllegalArgumentException e) {
                m.problem(m.fileOf(kind, name) + " " + kind + "/" + name + ": key '" + key + "' is not a properties file: "
                        + ManifestValidator.firstLine(e.getMessage()));
                continue;
            }
            String from = " (" + kind + " " + name + " in " + m.fileOf(kind, name) + ", mounted as " + CONFIG_DIR + "/application.properties)";
            p.stringPropertyNames().forEach(k -> out.put(ServiceConfig.withoutProfile(k), from));
        }
        return out;
    }

    // ---------------------------------------------------------------- addresses

    private static void addresses(ManifestValidator m, String cw, Container c, Map<String, Map<String, String>> databases) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> secretUser = new LinkedHashMap<>();
        Optional.ofNullable(c.getEnvFrom()).orElse(List.of()).stream().filter(ef -> ef.getConfigMapRef() != null)
                .flatMap(ef -> m.find("ConfigMap", ef.getConfigMapRef().getName()).stream())
                .forEach(cm -> Optional.ofNullable(((ConfigMap) cm).getData()).ifPresent(env::putAll));
        for (EnvVar e : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                var ref = e.getValueFrom().getSecretKeyRef();
                m.secretValue(ref.getName(), ref.getKey()).ifPresent(v -> secretUser.put(e.getName(), v));
            }
        }
        env.forEach((k, v) -> {
            if (k.endsWith("_DB_URL")) {
                String userVar = k.replaceFirst("_URL$", "_USER");
                database(m, cw, k, v, databases, userVar, secretUser.getOrDefault(userVar, env.get(userVar)));
            } else if (k.equals("RAGTUNE_KAFKA_BOOTSTRAP")) {
                kafkaBootstrap(m, cw, v);
            } else if (k.endsWith("_REGISTRY_URL") || k.endsWith("_PUBLIC_URL")) {
                serviceUrl(m, cw, k, v);
            }
        });
    }

    /** A *_DB_URL and the user its *_DB_USER logs in as. */
    private static void database(ManifestValidator m, String cw, String k, String url, Map<String, Map<String, String>> dbs,
            String userVar, String user) {
        Matcher u = JDBC.matcher(url);
        if (!u.matches()) {
            m.problem(cw + ": " + k + " is not a jdbc:postgresql://host:port/database URL: " + url);
            return;
        }
        String host = u.group(1);
        String cluster = host.replaceFirst("-rw(\\..*)?$", "");
        if (!host.startsWith(cluster + "-rw") || !dbs.containsKey(cluster)) {
            m.problem(cw + ": " + k + " host '" + host + "' is not the read-write Service <cluster>-rw of a CloudNativePG Cluster in the manifests");
            return;
        }
        if (!u.group(2).equals("5432")) {
            m.problem(cw + ": " + k + " port must be 5432");
        }
        String owner = dbs.get(cluster).get(u.group(3));
        if (owner == null) {
            m.problem(cw + ": " + k + " names database '" + u.group(3) + "' which Cluster '" + cluster
                    + "' does not create (databases: " + dbs.get(cluster).keySet() + ")");
        } else if (user == null) {
            m.problem(cw + ": " + k + " is set but " + userVar + " is not");
        } else if (!user.equals(owner)) {
            m.problem(cw + ": " + userVar + " is '" + user + "' but database '" + u.group(3) + "' is owned by '" + owner + "'");
        }
    }

    private static void kafkaBootstrap(ManifestValidator m, String cw, String value) {
        for (String server : value.split(",")) {
            Matcher b = BOOTSTRAP.matcher(server.trim());
            Optional<Kafka> kafka = b.matches() ? m.find("Kafka", b.group(1)).map(Kafka.class::cast) : Optional.empty();
            if (kafka.isEmpty()) {
                m.problem(cw + ": RAGTUNE_KAFKA_BOOTSTRAP '" + server + "' is not <kafka>-kafka-bootstrap:<port> of a Kafka in the manifests");
                continue;
            }
            if (b.group(2) != null && !b.group(2).startsWith("." + ManifestValidator.NAMESPACE + ".")) {
                m.problem(cw + ": RAGTUNE_KAFKA_BOOTSTRAP '" + server + "' points at another namespace");
            }
            int port = Integer.parseInt(b.group(3));
            if (kafka.get().getSpec().getKafka().getListeners().stream().noneMatch(l -> l.getPort() == port && !l.isTls())) {
                m.problem(cw + ": RAGTUNE_KAFKA_BOOTSTRAP port " + port + " is not a plain (non-TLS) listener of Kafka '" + b.group(1) + "'");
            }
        }
    }

    private static void serviceUrl(ManifestValidator m, String cw, String key, String value) {
        Matcher u = SERVICE_URL.matcher(value);
        Optional<Service> svc = u.matches() ? m.find("Service", u.group(1)).map(Service.class::cast) : Optional.empty();
        if (svc.isEmpty()) {
            m.problem(cw + ": " + key + " '" + value + "' is not http://<service>:<port> of a Service in the manifests");
        } else if (svc.get().getSpec().getPorts().stream().noneMatch(p -> p.getPort() == Integer.parseInt(u.group(3)))) {
            m.problem(cw + ": " + key + " port " + u.group(3) + " is not a port of Service/" + u.group(1));
        }
    }
}
