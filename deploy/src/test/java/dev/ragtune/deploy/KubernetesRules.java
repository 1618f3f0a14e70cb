package dev.ragtune.deploy;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import dev.ragtune.deploy.ManifestValidator.Doc;
import dev.ragtune.deploy.ManifestValidator.Workload;

/**
 * The project's rules for the built-in kinds: pod templates (selectors, volumes and the ConfigMaps, Secrets
 * and PVCs they reference, Quarkus health probes on container ports, defined $(VAR) references, a writable
 * /tmp under a read-only root, memory request and limit, GPU limit with node selector and toleration),
 * Services that select pods on their ports, the HPA and its target, PDB selectors, PVC sizes.
 */
final class KubernetesRules {

    private static final Pattern VAR_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final String GPU = "nvidia.com/gpu";

    private KubernetesRules() {
    }

    static void check(ManifestValidator m) {
        m.workloads.forEach(w -> workload(m, w));
        m.typed.forEach((doc, r) -> {
            switch (r) {
                case Service s -> service(m, doc, s);
                case HorizontalPodAutoscaler h -> hpa(m, doc, h);
                case PodDisruptionBudget p -> {
                    if (m.workloads.stream().noneMatch(w -> matches(p.getSpec().getSelector(), w.template().getMetadata().getLabels()))) {
                        m.problem(doc.where() + ": selector matches no pod template in the manifests");
                    }
                }
                case PersistentVolumeClaim c -> pvc(m, doc, c);
                default -> { }
            }
        });
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        boolean byLabels = selector != null && selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty();
        List<LabelSelectorRequirement> expressions = selector == null || selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
        Map<String, String> l = labels == null ? Map.of() : labels;
        return (byLabels || !expressions.isEmpty()) && (!byLabels || matches(selector.getMatchLabels(), l))
                && expressions.stream().allMatch(r -> {
                    String v = l.get(r.getKey());
                    List<String> values = r.getValues() == null ? List.of() : r.getValues();
                    return switch (r.getOperator()) {
                        case "In" -> v != null && values.contains(v);
                        case "NotIn" -> v == null || !values.contains(v);
                        case "Exists" -> v != null;
                        case "DoesNotExist" -> v == null;
                        default -> false;
                    };
                });
    }

    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        return selector != null && !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> e.getValue().equals(l.get(e.getKey())));
    }

    // ---------------------------------------------------------------- pods

    private static void workload(ManifestValidator m, Workload w) {
        String where = w.doc().where();
        if (w.template() == null || w.template().getSpec() == null || w.template().getMetadata() == null) {
            m.problem(where + ": spec.template with metadata and spec is required");
            return;
        }
        Map<String, String> podLabels = w.template().getMetadata().getLabels();
        if (w.selector() == null || (w.selector().getMatchLabels() == null && w.selector().getMatchExpressions() == null)) {
            m.problem(where + ": spec.selector is required");
        } else if (!matches(w.selector(), podLabels)) {
            m.problem(where + ": spec.selector " + w.selector().getMatchLabels() + " does not match the pod template labels " + podLabels);
        }
        if (podLabels == null || !"ragtune".equals(podLabels.get(ManifestValidator.PART_OF))) {
            m.problem(where + ": pod template label " + ManifestValidator.PART_OF + ": ragtune is missing");
        }
        PodSpec spec = w.template().getSpec();
        Map<String, Volume> volumes = new LinkedHashMap<>();
        for (Volume v : Optional.ofNullable(spec.getVolumes()).orElse(List.of())) {
            if (volumes.put(v.getName(), v) != null) {
                m.problem(where + ": volume '" + v.getName() + "' is defined twice");
            }
            String volume = where + ": volume '" + v.getName() + "'";
            if (v.getConfigMap() != null) {
                reference(m, volume, "ConfigMap", v.getConfigMap().getName(), v.getConfigMap().getOptional());
            }
            if (v.getSecret() != null) {
                reference(m, volume, "Secret", v.getSecret().getSecretName(), v.getSecret().getOptional());
            }
            if (v.getPersistentVolumeClaim() != null) {
                reference(m, volume, "PersistentVolumeClaim", v.getPersistentVolumeClaim().getClaimName(), false);
            }
        }
        if (spec.getContainers() == null || spec.getContainers().isEmpty()) {
            m.problem(where + ": no containers");
            return;
        }
        Set<String> mounted = new LinkedHashSet<>();
        for (Container c : spec.getContainers()) {
            String cw = where + " container '" + c.getName() + "'";
            container(m, cw, c, volumes, mounted);
            gpu(m, where, cw, c, spec);
        }
        volumes.keySet().stream().filter(v -> !mounted.contains(v))
                .forEach(v -> m.problem(where + ": volume '" + v + "' is not mounted by any container"));
    }

    /** A ConfigMap, Secret or PVC that must be in the manifests unless optional. */
    private static boolean reference(ManifestValidator m, String who, String kind, String name, Boolean optional) {
        if (Boolean.TRUE.equals(optional) || m.exists(kind, name)) {
            return true;
        }
        m.problem(who + " references " + kind + " '" + name + "' which is not in the manifests");
        return false;
    }

    private static void container(ManifestValidator m, String cw, Container c, Map<String, Volume> volumes, Set<String> mounted) {
        if (c.getImage() == null || c.getImage().isBlank()) {
            m.problem(cw + ": image is required");
        }
        List<ContainerPort> ports = c.getPorts() == null ? List.of() : c.getPorts();
        probe(m, cw, "startupProbe", c.getStartupProbe(), ports, "/q/health/");
        probe(m, cw, "livenessProbe", c.getLivenessProbe(), ports, "/q/health/live");
        probe(m, cw, "readinessProbe", c.getReadinessProbe(), ports, "/q/health/ready");
        Set<String> defined = new LinkedHashSet<>();
        for (EnvFromSource ef : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
            if (ef.getConfigMapRef() != null) {
                reference(m, cw + ": envFrom", "ConfigMap", ef.getConfigMapRef().getName(), ef.getConfigMapRef().getOptional());
                defined.addAll(m.keysOf("ConfigMap", ef.getConfigMapRef().getName()));
            }
            if (ef.getSecretRef() != null) {
                reference(m, cw + ": envFrom", "Secret", ef.getSecretRef().getName(), ef.getSecretRef().getOptional());
                defined.addAll(m.keysOf("Secret", ef.getSecretRef().getName()));
            }
        }
        Set<String> names = new LinkedHashSet<>();
        for (EnvVar e : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            String env = cw + ": env '" + e.getName() + "'";
            if (!names.add(e.getName())) {
                m.problem(env + " is set twice");
            }
            Matcher ref = VAR_REFERENCE.matcher(e.getValue() == null ? "" : e.getValue());
            while (ref.find()) {
                if (!defined.contains(ref.group(1))) {
                    m.problem(env + " uses $(" + ref.group(1) + ") which is not defined before it");
                }
            }
            var from = e.getValueFrom();
            if (from != null && from.getConfigMapKeyRef() != null) {
                var r = from.getConfigMapKeyRef();
                keyReference(m, env, "ConfigMap", r.getName(), r.getKey(), r.getOptional());
            }
            if (from != null && from.getSecretKeyRef() != null) {
                var r = from.getSecretKeyRef();
                keyReference(m, env, "Secret", r.getName(), r.getKey(), r.getOptional());
            }
            defined.add(e.getName());
        }
        for (VolumeMount vm : Optional.ofNullable(c.getVolumeMounts()).orElse(List.of())) {
            if (!volumes.containsKey(vm.getName())) {
                m.problem(cw + ": volumeMount '" + vm.getName() + "' names no volume of the pod");
            }
            mounted.add(vm.getName());
        }
        if (c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem())
                && (c.getVolumeMounts() == null || c.getVolumeMounts().stream().noneMatch(vm -> "/tmp".equals(vm.getMountPath())))) {
            m.problem(cw + ": read-only root file system but no volume mounted at /tmp (the JVM, Vert.x and native libraries write there)");
        }
        var res = c.getResources();
        if (res == null || res.getRequests() == null || !res.getRequests().containsKey("memory")
                || res.getLimits() == null || !res.getLimits().containsKey("memory")) {
            m.problem(cw + ": memory request and limit are required (JVM heap is a share of the limit)");
        }
    }

    private static void keyReference(ManifestValidator m, String env, String kind, String name, String key, Boolean optional) {
        if (!Boolean.TRUE.equals(optional) && reference(m, env, kind, name, false) && !m.keysOf(kind, name).contains(key)) {
            m.problem(env + " references key '" + key + "' missing from " + kind + " '" + name + "'");
        }
    }

    private static void probe(ManifestValidator m, String cw, String which, Probe p, List<ContainerPort> ports, String pathPrefix) {
        if (p == null) {
            m.problem(cw + ": " + which + " is missing");
            return;
        }
        IntOrString port = null;
        if (p.getHttpGet() != null) {
            port = p.getHttpGet().getPort();
            String path = p.getHttpGet().getPath();
            if (path == null || !path.startsWith(pathPrefix)) {
                m.problem(cw + ": " + which + " path '" + path + "' must be " + pathPrefix + (pathPrefix.endsWith("/") ? "…" : ""));
            }
        } else if (p.getTcpSocket() != null) {
            port = p.getTcpSocket().getPort();
        } else if (p.getGrpc() != null) {
            port = new IntOrString(p.getGrpc().getPort());
        } else if (p.getExec() == null) {
            m.problem(cw + ": " + which + " has no handler (httpGet, tcpSocket, grpc or exec)");
        }
        if (port != null && !portExists(port, ports)) {
            m.problem(cw + ": " + which + " port '" + portText(port) + "' is not a port of the container "
                    + ports.stream().map(cp -> (cp.getName() == null ? "" : cp.getName() + "=") + cp.getContainerPort()).toList());
        }
    }

    static boolean portExists(IntOrString port, List<ContainerPort> ports) {
        return port.getStrVal() != null ? ports.stream().anyMatch(cp -> port.getStrVal().equals(cp.getName()))
                : ports.stream().anyMatch(cp -> Objects.equals(port.getIntVal(), cp.getContainerPort()));
    }

    static String portText(IntOrString p) {
        return p.getStrVal() != null ? p.getStrVal() : String.valueOf(p.getIntVal());
    }

    private static void gpu(ManifestValidator m, String where, String cw, Container c, PodSpec pod) {
        var res = c.getResources();
        boolean requests = res != null && res.getRequests() != null && res.getRequests().containsKey(GPU);
        boolean limits = res != null && res.getLimits() != null && res.getLimits().containsKey(GPU);
        if (requests && !limits) {
            m.problem(cw + ": nvidia.com/gpu must be set in resources.limits (extended resources are not overcommitted)");
        }
        if (!limits) {
            return;
        }
        Quantity q = res.getLimits().get(GPU);
        if (!q.getAmount().matches("[1-9][0-9]*") || (q.getFormat() != null && !q.getFormat().isEmpty())) {
            m.problem(cw + ": nvidia.com/gpu must be a whole number of GPUs, is '" + q + "'");
        }
        if (pod.getNodeSelector() == null || pod.getNodeSelector().isEmpty()) {
            m.problem(where + ": asks for a GPU but has no nodeSelector for GPU nodes");
        }
        if (pod.getTolerations() == null || pod.getTolerations().stream().noneMatch(t -> GPU.equals(t.getKey()))) {
            m.problem(where + ": asks for a GPU but does not tolerate the nvidia.com/gpu taint of GPU nodes");
        }
    }

    // ---------------------------------------------------------------- Services, HPA, PVC

    private static void service(ManifestValidator m, Doc doc, Service s) {
        var spec = s.getSpec();
        if (spec == null || spec.getPorts() == null || spec.getPorts().isEmpty()) {
            m.problem(doc.where() + ": spec.ports is required");
            return;
        }
        List<Workload> pods = m.workloads.stream().filter(w -> w.template() != null && w.template().getMetadata() != null
                && matches(spec.getSelector(), w.template().getMetadata().getLabels())).toList();
        if (pods.isEmpty()) {
            m.problem(doc.where() + ": selector " + spec.getSelector() + " matches no pod template in the manifests");
        }
        for (ServicePort sp : spec.getPorts()) {
            IntOrString target = sp.getTargetPort() != null ? sp.getTargetPort() : new IntOrString(sp.getPort());
            for (Workload w : pods) {
                if (w.template().getSpec().getContainers().stream().noneMatch(c -> portExists(target, c.getPorts() == null ? List.of() : c.getPorts()))) {
                    m.problem(doc.where() + ": targetPort '" + portText(target) + "' is not a container port of " + w.kind() + "/" + w.name());
                }
            }
        }
    }

    private static void hpa(ManifestValidator m, Doc doc, HorizontalPodAutoscaler h) {
        var spec = h.getSpec();
        var ref = spec.getScaleTargetRef();
        if (ref == null) {
            m.problem(doc.where() + ": spec.scaleTargetRef is required");
            return;
        }
        Optional<Workload> target = m.workloads.stream().filter(w -> w.kind().equals(ref.getKind()) && w.name().equals(ref.getName())).findFirst();
        if (target.isEmpty()) {
            m.problem(doc.where() + ": scaleTargetRef " + ref.getKind() + "/" + ref.getName() + " is not in the manifests");
            return;
        }
        if (!"apps/v1".equals(ref.getApiVersion())) {
            m.problem(doc.where() + ": scaleTargetRef.apiVersion must be apps/v1, is " + ref.getApiVersion());
        }
        int min = spec.getMinReplicas() == null ? 1 : spec.getMinReplicas();
        if (spec.getMaxReplicas() == null || spec.getMaxReplicas() < min) {
            m.problem(doc.where() + ": maxReplicas must be set and at least minReplicas (" + min + ")");
        }
        if (target.get().replicas() != null) {
            m.problem(target.get().doc().where() + ": sets spec.replicas although HorizontalPodAutoscaler/" + h.getMetadata().getName()
                    + " owns the count (every apply would reset it)");
        }
        if (spec.getMetrics() == null || spec.getMetrics().isEmpty()) {
            m.problem(doc.where() + ": spec.metrics is required");
            return;
        }
        for (MetricSpec metric : spec.getMetrics()) {
            if (!"Resource".equals(metric.getType()) || metric.getResource() == null
                    || !"Utilization".equals(metric.getResource().getTarget().getType())) {
                continue;
            }
            String resource = metric.getResource().getName();
            for (Container c : target.get().template().getSpec().getContainers()) {
                var r = c.getResources();
                if (r == null || r.getRequests() == null || !r.getRequests().containsKey(resource)) {
                    m.problem(doc.where() + ": scales on " + resource + " utilisation but container '" + c.getName()
                            + "' of " + ref.getName() + " has no " + resource + " request");
                }
            }
        }
    }

    private static void pvc(ManifestValidator m, Doc doc, PersistentVolumeClaim c) {
        var spec = c.getSpec();
        if (spec == null || spec.getAccessModes() == null || spec.getAccessModes().isEmpty()) {
            m.problem(doc.where() + ": spec.accessModes is required");
        }
        if (spec == null || spec.getResources() == null || spec.getResources().getRequests() == null
                || !spec.getResources().getRequests().containsKey("storage")) {
            m.problem(doc.where() + ": spec.resources.requests.storage is required");
        }
    }
}
