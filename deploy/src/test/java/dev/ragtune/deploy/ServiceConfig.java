package dev.ragtune.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import com.sun.source.tree.AnnotatedTypeTree;
import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.ArrayTypeTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.ParameterizedTypeTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreeScanner;

/**
 * What one service reads, derived from its module's sources rather than its classes (model-registry's classes
 * are not on this module's test classpath, SmallRye Config's annotations are on none):
 * <ul>
 * <li>{@code src/main/resources/application.properties}: its keys (profile removed; the part before a quoted
 * segment is a map), and the names its values reference: {@code ${NAME}} / {@code ${NAME:default}} read an
 * env var of exactly that name;</li>
 * <li>the {@code @ConfigMapping} interfaces under {@code src/main/java}, parsed by the JDK's compiler (syntax
 * trees, nothing compiled): prefix + method names in kebab-case (or the mapping's naming strategy), nested
 * group interfaces of the same file (also inside Optional), {@code @WithName}, {@code @WithParentName},
 * {@code @WithDefault}; Map properties and lists of groups take any name below them, lists of values are also
 * set as one comma-separated value. A group interface declared in another file is taken for a single value.</li>
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
                if (!k.startsWith("%") || List.of(k.substring(1, k.indexOf('.')).split(",")).contains("prod")) {
                    c.values.put(base, value);
                }
                List<String> roots = c.mappingRoots.stream().filter(root -> base.startsWith(root + ".")).toList();
                if (!roots.isEmpty() && !c.mappingReads(base)) {
                    c.problems.add(c.propertiesFile + ": '" + k + "' is under the @ConfigMapping prefix " + roots
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

    /** The env var SmallRye Config reads for a property. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** SmallRye's KEBAB_CASE naming of a mapping method: maxTopK → max-top-k, baseURLPath → base-url-path. */
    static String kebab(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            boolean boundary = i > 0 && Character.isUpperCase(ch) && (!Character.isUpperCase(name.charAt(i - 1))
                    || (i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1))));
            b.append(boundary ? "-" : "").append(Character.toLowerCase(ch));
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
        return referenced.contains(name) || envNames().contains(name)
                || Stream.concat(mappedPrefixes.stream(), declaredPrefixes.stream()).anyMatch(p -> name.startsWith(envName(p) + "_"));
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

    /** " (did you mean X?)" for the closest name the service reads, when it is a typo away (edit distance ≤ 3). */
    String suggestion(String name) {
        Set<String> candidates = new TreeSet<>(envNames());
        referenced.stream().filter(r -> ENV_LIKE.matcher(r).matches()).forEach(candidates::add);
        return candidates.stream().min(Comparator.comparingInt(c -> distance(name, c)))
                .filter(best -> distance(name, best) <= 3).map(best -> " (did you mean " + best + "?)").orElse("");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }

    // ---------------------------------------------------------------- @ConfigMapping sources

    /** Syntax trees by source text: every validation reads the same few files, javac takes tens of ms for one. */
    private static final Map<String, CompilationUnitTree> PARSED = new ConcurrentHashMap<>();

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
            Map<String, ClassTree> interfaces = new LinkedHashMap<>();
            new TreeScanner<Void, Void>() {
                @Override
                public Void visitClass(ClassTree c, Void v) {
                    if (c.getKind() == Tree.Kind.INTERFACE) {
                        interfaces.putIfAbsent(c.getSimpleName().toString(), c);
                    }
                    return super.visitClass(c, v);
                }
            }.scan(PARSED.computeIfAbsent(source, text -> parse(f)), null);
            for (ClassTree type : interfaces.values()) {
                Optional<AnnotationTree> mapping = annotation(type.getModifiers(), "ConfigMapping");
                if (mapping.isPresent()) {
                    String root = argument(mapping.get(), "prefix").orElse("");
                    if (!mappingRoots.contains(root)) {
                        mappingRoots.add(root);
                    }
                    walk(root, type, interfaces, argument(mapping.get(), "namingStrategy").orElse("KEBAB_CASE"), withDefaults, 0);
                }
            }
        }
    }

    private static CompilationUnitTree parse(Path file) {
        JavaCompiler javac = Objects.requireNonNull(ToolProvider.getSystemJavaCompiler(), "reading @ConfigMapping sources needs a JDK");
        try (var fm = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            var task = (JavacTask) javac.getTask(null, fm, diagnostic -> { }, List.of("-proc:none"), null, fm.getJavaFileObjects(file));
            return task.parse().iterator().next();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void walk(String prefix, ClassTree type, Map<String, ClassTree> interfaces, String strategy, Map<String, String> withDefaults, int depth) {
        if (depth > 16) {
            return;
        }
        for (Tree member : type.getMembers()) {
            if (!(member instanceof MethodTree method) || method.getBody() != null || !method.getParameters().isEmpty()
                    || method.getModifiers().getFlags().stream().anyMatch(f -> f == Modifier.STATIC || f == Modifier.DEFAULT || f == Modifier.PRIVATE)) {
                continue;
            }
            ModifiersTree mods = method.getModifiers();
            String name = method.getName().toString();
            String segment = annotation(mods, "WithParentName").isPresent() ? null
                    : annotation(mods, "WithName").flatMap(a -> argument(a, "value")).orElseGet(() -> strategy.endsWith("VERBATIM") ? name
                            : strategy.endsWith("SNAKE_CASE") ? kebab(name).replace('-', '_') : kebab(name));
            String property = segment == null ? prefix : prefix.isEmpty() ? segment : prefix + "." + segment;
            Tree returns = method.getReturnType();
            if (rawName(returns).equals("Optional")) {
                returns = element(returns);
            }
            String raw = rawName(returns);
            if (MAPS.contains(raw)) {
                mappedPrefixes.add(property);
            } else if (COLLECTIONS.contains(raw) || returns instanceof ArrayTypeTree) {
                mappedPrefixes.add(property);
                if (!interfaces.containsKey(rawName(element(returns)))) {
                    mapped.add(property);
                }
            } else if (interfaces.containsKey(raw)) {
                walk(property, interfaces.get(raw), interfaces, strategy, withDefaults, depth + 1);
                continue;
            } else {
                mapped.add(property);
            }
            annotation(mods, "WithDefault").flatMap(a -> argument(a, "value")).ifPresent(d -> withDefaults.put(property, d));
        }
    }

    private static Optional<AnnotationTree> annotation(ModifiersTree mods, String simpleName) {
        return mods.getAnnotations().stream().map(AnnotationTree.class::cast).filter(a -> rawName(a.getAnnotationType()).equals(simpleName)).findFirst();
    }

    /** An annotation's argument: a string literal's value, else the expression's source (an enum constant). */
    private static Optional<String> argument(AnnotationTree a, String name) {
        for (ExpressionTree arg : a.getArguments()) {
            boolean named = arg instanceof AssignmentTree as && as.getVariable().toString().equals(name);
            if (named || (!(arg instanceof AssignmentTree) && name.equals("value"))) {
                ExpressionTree value = arg instanceof AssignmentTree as ? as.getExpression() : arg;
                return Optional.of(value instanceof LiteralTree l ? String.valueOf(l.getValue()) : value.toString());
            }
        }
        return Optional.empty();
    }

    private static String rawName(Tree t) {
        return switch (t) {
            case ParameterizedTypeTree p -> rawName(p.getType());
            case ArrayTypeTree a -> rawName(a.getType());
            case AnnotatedTypeTree a -> rawName(a.getUnderlyingType());
            case MemberSelectTree s -> s.getIdentifier().toString();
            default -> t.toString();
        };
    }

    /** The element type of an array or of a generic type's (first) type argument; the type itself otherwise. */
    private static Tree element(Tree t) {
        return switch (t) {
            case ParameterizedTypeTree p when !p.getTypeArguments().isEmpty() -> p.getTypeArguments().get(0);
            case ArrayTypeTree a -> a.getType();
            case AnnotatedTypeTree a -> element(a.getUnderlyingType());
            default -> t;
        };
    }
}
