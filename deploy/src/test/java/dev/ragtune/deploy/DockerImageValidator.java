package dev.ragtune.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.Node;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * Checks that the image of a service starts what the module builds: deploy/docker/&lt;module&gt;/Dockerfile
 * copies the module's Quarkus fast-jar (&lt;module&gt;/target/quarkus-app/{lib,app,quarkus}/ and
 * quarkus-run.jar) to /deployments, its ENTRYPOINT/CMD runs java -jar /deployments/quarkus-run.jar, it
 * exposes the port the Deployment uses, runs as non-root on a Java 21 JRE; the module's pom builds a
 * Quarkus app (quarkus-maven-plugin, goal build) once the module has an application.properties, whose
 * quarkus.http.port must be that port; CUDA libtorch settings match DJL's JNI on the classpath.
 */
final class DockerImageValidator {

    static final String DEPLOYMENTS = "/deployments/";
    /** What a Quarkus fast-jar consists of, relative to target/quarkus-app/. */
    static final List<String> FAST_JAR = List.of("lib/", "app/", "quarkus/", "quarkus-run.jar");

    record Instruction(int line, String keyword, String args) {}

    record Result(List<String> problems, List<String> notes) {}

    private final Path repo;
    private final String module;
    private final Path dockerfile;
    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private DockerImageValidator(Path repo, String module) {
        this.repo = repo;
        this.module = module;
        this.dockerfile = repo.resolve("deploy/docker").resolve(module).resolve("Dockerfile");
    }

    /**
     * @param manifests the validated manifests: the Deployment whose container image is
     *                  ragtune/&lt;module&gt; gives the port and the env the image must agree with
     */
    static Result validate(Path repo, String module, ManifestValidator.Result manifests) {
        var v = new DockerImageValidator(repo, module);
        v.run(manifests);
        return new Result(List.copyOf(v.problems), List.copyOf(v.notes));
    }

    private void problem(String s) {
        problems.add(repo.relativize(dockerfile) + ": " + s);
    }

    /** Dockerfile instructions with continuation lines joined and comments dropped. */
    static List<Instruction> parse(String text) {
        List<Instruction> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        StringBuilder cur = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (cur == null && trimmed.isEmpty())) {
                continue;
            }
            if (cur == null) {
                cur = new StringBuilder();
                start = i + 1;
            }
            if (trimmed.endsWith("\\")) {
                cur.append(trimmed.substring(0, trimmed.length() - 1).strip()).append(' ');
                continue;
            }
            cur.append(trimmed);
            String s = cur.toString().strip();
            int sp = s.indexOf(' ');
            out.add(new Instruction(start, (sp < 0 ? s : s.substring(0, sp)).toUpperCase(), sp < 0 ? "" : s.substring(sp + 1).strip()));
            cur = null;
        }
        return out;
    }

    private void run(ManifestValidator.Result manifests) {
        Optional<Container> container = manifests.all(Deployment.class).stream()
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .filter(c -> c.getImage() != null && c.getImage().replaceFirst("[:@].*$", "").equals("ragtune/" + module))
                .findFirst();
        if (container.isEmpty()) {
            problems.add("no Deployment in deploy/kubernetes runs image ragtune/" + module);
            return;
        }
        Integer port = container.get().getPorts() == null ? null : container.get().getPorts().stream()
                .filter(p -> "http".equals(p.getName())).map(ContainerPort::getContainerPort).findFirst().orElse(null);
        if (port == null) {
            problems.add("the container running ragtune/" + module + " has no port named http");
            return;
        }
        if (!Files.isRegularFile(dockerfile)) {
            problems.add(repo.relativize(dockerfile) + ": missing (Deployment runs ragtune/" + module + ")");
            return;
        }
        String text;
        try {
            text = Files.readString(dockerfile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        checkDockerfile(parse(text), port, container.get());
        checkDockerignore();
        checkModule(port);
    }

    private void checkDockerfile(List<Instruction> all, int port, Container container) {
        Map<String, String> globalArgs = new LinkedHashMap<>();
        Map<String, String> stageImages = new LinkedHashMap<>();
        int lastFrom = -1;
        String finalImage = null;
        for (int i = 0; i < all.size(); i++) {
            Instruction in = all.get(i);
            if (in.keyword().equals("ARG") && lastFrom < 0) {
                String[] kv = in.args().split("=", 2);
                globalArgs.put(kv[0].strip(), kv.length > 1 ? unquote(kv[1].strip()) : "");
            } else if (in.keyword().equals("FROM")) {
                lastFrom = i;
                String[] parts = in.args().split("\\s+");
                int p = 0;
                while (p < parts.length && parts[p].startsWith("--")) {
                    p++;
                }
                finalImage = expand(parts[p], globalArgs);
                if (parts.length >= p + 3 && parts[p + 1].equalsIgnoreCase("AS")) {
                    stageImages.put(parts[p + 2], finalImage);
                }
            }
        }
        if (lastFrom < 0) {
            problem("no FROM instruction");
            return;
        }
        List<Instruction> stage = all.subList(lastFrom + 1, all.size());

        String workdir = "/";
        String user = null;
        Map<String, String> env = new LinkedHashMap<>();
        List<String[]> appCopies = new ArrayList<>();   // {source, destination}
        List<String> fromDestinations = new ArrayList<>();
        boolean javaCopiedFromTemurin21 = false;
        List<String> entrypoint = null;
        List<String> cmd = null;
        List<Integer> exposed = new ArrayList<>();
        for (Instruction in : stage) {
            switch (in.keyword()) {
                case "WORKDIR" -> workdir = resolve(workdir, in.args());
                case "USER" -> user = in.args();
                case "ENV" -> env.putAll(parseEnv(in.args()));
                case "EXPOSE" -> {
                    for (String e : in.args().split("\\s+")) {
                        try {
                            exposed.add(Integer.parseInt(e.replaceFirst("/tcp$", "")));
                        } catch (NumberFormatException x) {
                            problem("line " + in.line() + ": EXPOSE " + e + " is not a port number");
                        }
                    }
                }
                case "ENTRYPOINT" -> entrypoint = command(in);
                case "CMD" -> cmd = command(in);
                case "COPY", "ADD" -> {
                    List<String> words = new ArrayList<>(List.of(in.args().split("\\s+")));
                    String from = null;
                    while (!words.isEmpty() && words.get(0).startsWith("--")) {
                        String flag = words.remove(0);
                        if (flag.startsWith("--from=")) {
                            from = flag.substring("--from=".length());
                        }
                    }
                    if (words.size() < 2) {
                        problem("line " + in.line() + ": " + in.keyword() + " needs a source and a destination");
                        continue;
                    }
                    String dest = resolve(workdir, words.get(words.size() - 1)) + (words.get(words.size() - 1).endsWith("/") ? "/" : "");
                    if (from != null) {
                        fromDestinations.add(stripSlash(dest));
                        String image = stageImages.getOrDefault(from, from);
                        if (image.startsWith("eclipse-temurin:21") && words.get(0).equals("/opt/java/openjdk")) {
                            javaCopiedFromTemurin21 = true;
                        }
                        continue;
                    }
                    for (String src : words.subList(0, words.size() - 1)) {
                        appCopies.add(new String[] {src, dest});
                    }
                }
                default -> { }
            }
        }

        boolean java21 = finalImage.startsWith("eclipse-temurin:21") || javaCopiedFromTemurin21;
        if (!java21) {
            problem("the final image must be a Java 21 JRE (FROM eclipse-temurin:21-…, or COPY --from an eclipse-temurin:21 stage "
                    + "of /opt/java/openjdk); it is " + finalImage);
        }
        if (module.equals("tuning-worker") && !finalImage.startsWith("nvidia/cuda:")) {
            problem("the tuning-worker trains on GPU nodes: its final image must be an nvidia/cuda base, is " + finalImage);
        }
        if (!stripSlash(workdir).equals("/deployments")) {
            problem("WORKDIR must be /deployments (Quarkus reads config/application.properties, the mounted API keys, from there); is " + workdir);
        }
        if (user == null || user.equals("root") || user.startsWith("0")) {
            problem("USER must be set to a non-root user (the pods run with runAsNonRoot)");
        }

        String base = module + "/target/quarkus-app/";
        if (appCopies.isEmpty()) {
            problem("copies nothing from " + base);
        }
        for (String[] c : appCopies) {
            if (!(stripSlash(c[0]) + "/").startsWith(base)) {
                problem("COPY source '" + c[0] + "' is not part of " + base + " (the build context is the repository root)");
            }
            if (!c[1].startsWith(DEPLOYMENTS)) {
                problem("COPY destination '" + c[1] + "' is not under " + DEPLOYMENTS);
            }
        }
        for (String item : FAST_JAR) {
            boolean placed = appCopies.stream().anyMatch(c -> lands(base, c[0], c[1], item));
            if (!placed) {
                problem("does not copy " + base + item + " to " + DEPLOYMENTS + item);
            }
        }
        Path built = repo.resolve(base);
        if (Files.isDirectory(built)) {
            for (String[] c : appCopies) {
                if (c[0].startsWith(base) && !Files.exists(repo.resolve(c[0]))) {
                    problem("COPY source '" + c[0] + "' does not exist in the built " + base);
                }
            }
        } else {
            notes.add(module + ": " + base + " is not built in this run; the COPY paths were checked against the fast-jar layout");
        }

        List<String> start = new ArrayList<>();
        if (entrypoint != null) {
            start.addAll(entrypoint);
        }
        if (cmd != null) {
            start.addAll(cmd);   // exec-form CMD: the command itself, or arguments appended to ENTRYPOINT
        }
        if (start.isEmpty()) {
            problem("no ENTRYPOINT or CMD");
        } else {
            String exe = start.get(0);
            int jar = start.indexOf("-jar");
            if (!(exe.equals("java") || exe.endsWith("/bin/java"))) {
                problem("the start command must run java, runs '" + exe + "'");
            } else if (jar < 0 || jar + 1 >= start.size()) {
                problem("the start command must be java … -jar /deployments/quarkus-run.jar, is " + start);
            } else if (!resolve(workdir, start.get(jar + 1)).equals("/deployments/quarkus-run.jar")) {
                problem("the start command runs '" + start.get(jar + 1) + "', not /deployments/quarkus-run.jar (what the COPY places)");
            }
        }
        if (!exposed.contains(port)) {
            problem("EXPOSE " + exposed + " does not include port " + port + " that the Deployment's container uses");
        }

        // CUDA libtorch for DJL: the library path is really in the image and its flavour/version is
        // the one the pytorch-jni on the (tuning-worker) classpath was built for
        String libPath = env.get("PYTORCH_LIBRARY_PATH");
        if (libPath != null) {
            if (!fromDestinations.contains(stripSlash(libPath))) {
                problem("ENV PYTORCH_LIBRARY_PATH=" + libPath + " is not a directory the Dockerfile copies into the image");
            }
            String flavor = env.get("PYTORCH_FLAVOR");
            if (flavor == null || getClass().getClassLoader().getResource("jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so") == null) {
                problem("ENV PYTORCH_FLAVOR=" + flavor + " has no JNI library in ai.djl.pytorch:pytorch-jni on the classpath "
                        + "(jnilib/linux-x86_64/<flavor>/libdjl_torch.so)");
            }
            String jni = jniVersion();
            if (jni != null && !jni.startsWith(env.getOrDefault("PYTORCH_VERSION", "?") + "-")) {
                problem("ENV PYTORCH_VERSION=" + env.get("PYTORCH_VERSION") + " does not match pytorch-jni " + jni);
            }
        } else if (module.equals("tuning-worker")) {
            problem("the tuning-worker image must set PYTORCH_LIBRARY_PATH to its CUDA libtorch");
        }
        if (container.getEnv() != null) {
            for (EnvVar e : container.getEnv()) {
                if (e.getValue() != null && env.containsKey(e.getName()) && !e.getName().equals("JAVA_TOOL_OPTIONS")
                        && !env.get(e.getName()).equals(e.getValue())) {
                    problem("ENV " + e.getName() + "=" + env.get(e.getName()) + " but the Deployment sets " + e.getValue());
                }
            }
        }
    }

    private static String jniVersion() {
        try (InputStream in = DockerImageValidator.class.getClassLoader().getResourceAsStream("jnilib/pytorch.properties")) {
            if (in == null) {
                return null;
            }
            var p = new Properties();
            p.load(in);
            return p.getProperty("jni_version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether "COPY src dest" places base+item at /deployments/item. */
    static boolean lands(String base, String src, String dest, String item) {
        String s = stripSlash(src);
        String b = stripSlash(base);
        String it = stripSlash(item);
        String target = stripSlash(DEPLOYMENTS + item);
        if (s.equals(b)) {
            return stripSlash(dest + "/" + it).equals(target);
        }
        if (!s.equals(b + "/" + it)) {
            return false;
        }
        if (item.endsWith("/")) {
            return stripSlash(dest).equals(target);
        }
        return dest.endsWith("/") ? stripSlash(dest + it).equals(target) : stripSlash(dest).equals(target);
    }

    private static String stripSlash(String s) {
        String r = s.replaceAll("/+", "/");
        return r.length() > 1 && r.endsWith("/") ? r.substring(0, r.length() - 1) : r;
    }

    private static String resolve(String workdir, String path) {
        String p = path.startsWith("/") ? path : stripSlash(workdir) + "/" + path;
        return stripSlash(p.replace("/./", "/"));
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static String expand(String s, Map<String, String> args) {
        Matcher m = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(args.getOrDefault(m.group(1), "")));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** ENV key=value pairs (quoted values allowed) or the legacy "ENV key value". */
    static Map<String, String> parseEnv(String args) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)").matcher(args);
        boolean any = false;
        while (m.find()) {
            any = true;
            out.put(m.group(1), unquote(m.group(2)));
        }
        if (!any) {
            String[] kv = args.split("\\s+", 2);
            out.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        return out;
    }

    private List<String> command(Instruction in) {
        String a = in.args();
        if (a.startsWith("[")) {
            try {
                return List.of(new ObjectMapper().readValue(a, String[].class));
            } catch (IOException e) {
                problem("line " + in.line() + ": " + in.keyword() + " is not a valid JSON array: " + a);
                return List.of();
            }
        }
        problem("line " + in.line() + ": " + in.keyword() + " must use the exec (JSON) form so that java is PID 1 and gets SIGTERM");
        return List.of(a.split("\\s+"));
    }

    private void checkDockerignore() {
        Path ignore = dockerfile.resolveSibling("Dockerfile.dockerignore");
        if (!Files.isRegularFile(ignore)) {
            problem("Dockerfile.dockerignore is missing (the context is the repository root)");
            return;
        }
        try {
            List<String> lines = Files.readAllLines(ignore).stream().map(String::strip).toList();
            if (!lines.contains("!" + module + "/target/quarkus-app") && !lines.contains("!" + module + "/target/quarkus-app/")) {
                problem("Dockerfile.dockerignore must re-include !" + module + "/target/quarkus-app");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A module is a Quarkus application once it has src/main/resources/application.properties; then its
     * pom must run quarkus-maven-plugin's build goal (which writes target/quarkus-app) and its HTTP port
     * must be the one the image exposes. Until then (tuning-worker and rag-service are being built)
     * this is recorded as an assumption, not a failure.
     */
    private void checkModule(int port) {
        Path props = repo.resolve(module).resolve("src/main/resources/application.properties");
        Path pom = repo.resolve(module).resolve("pom.xml");
        if (!Files.isRegularFile(pom)) {
            problems.add(module + "/pom.xml: missing (the image packages this module)");
            return;
        }
        if (!Files.isRegularFile(props)) {
            notes.add("ASSUMPTION " + module + ": not a Quarkus app yet (no src/main/resources/application.properties); the image expects it "
                    + "to become one: quarkus-maven-plugin with goal build in " + module + "/pom.xml and quarkus.http.port=" + port);
            return;
        }
        if (!buildsQuarkusApp(pom)) {
            problems.add(module + "/pom.xml: has application.properties but does not run quarkus-maven-plugin's build goal, "
                    + "so target/quarkus-app/quarkus-run.jar that the image starts is never built");
        }
        var p = new Properties();
        try (var r = Files.newBufferedReader(props, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String configured = p.getProperty("quarkus.http.port", "8080");
        if (!configured.equals(String.valueOf(port))) {
            problems.add(module + ": quarkus.http.port is " + configured + " but the image and Deployment use " + port);
        }
    }

    static boolean buildsQuarkusApp(Path pom) {
        try {
            var f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var doc = f.newDocumentBuilder().parse(pom.toFile());
            var plugins = doc.getElementsByTagName("plugin");
            for (int i = 0; i < plugins.getLength(); i++) {
                Element plugin = (Element) plugins.item(i);
                if (!"quarkus-maven-plugin".equals(childText(plugin, "artifactId"))) {
                    continue;
                }
                // only plugins that run (build/plugins), not pluginManagement declarations
                Node parent = plugin.getParentNode().getParentNode();
                if (parent == null || !"build".equals(parent.getNodeName())) {
                    continue;
                }
                var goals = plugin.getElementsByTagName("goal");
                for (int g = 0; g < goals.getLength(); g++) {
                    if ("build".equals(goals.item(g).getTextContent().strip())) {
                        return true;
                    }
                }
            }
            return false;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pom + ": " + e.getMessage(), e);
        }
    }

    private static String childText(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getNodeName().equals(name)) {
                return c.getTextContent().strip();
            }
        }
        return null;
    }
}
