package dev.ragtune.cli.client;

import dev.ragtune.cli.RagtuneCli;
import dev.ragtune.cli.platform.ApiKeyFile;
import dev.ragtune.cli.platform.PlatformHome;
import dev.ragtune.cli.platform.PlatformSettings;
import dev.ragtune.cli.platform.PlatformState;
import dev.ragtune.common.registry.RegistryClient;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where the platform is and which key to use, shared by every command that talks to it (a picocli mixin).
 * Each endpoint comes from its option, else its environment variable, else the running platform's
 * {@code platform.json}, else the default local port. The key comes from {@code --api-key}/{@code RAGTUNE_API_KEY},
 * else from {@code api-keys.json}: the key of the least role the command needs.
 */
public final class PlatformEndpoints {

    @Option(names = "--data-dir", description = "State directory with platform.json and api-keys.json (default: $RAGTUNE_HOME or ./.ragtune).")
    Path dataDir;

    @Option(names = "--rag-url", defaultValue = "${env:RAGTUNE_RAG_URL}", description = "rag-service URL (env RAGTUNE_RAG_URL; default: from platform.json, else http://127.0.0.1:8080).")
    String ragUrl;

    @Option(names = "--registry-url", defaultValue = "${env:RAGTUNE_REGISTRY_URL}", description = "model-registry URL (env RAGTUNE_REGISTRY_URL; default: from platform.json, else http://127.0.0.1:8081).")
    String registryUrl;

    @Option(names = "--worker-url", defaultValue = "${env:RAGTUNE_WORKER_URL}", description = "tuning-worker URL (env RAGTUNE_WORKER_URL; default: from platform.json, else http://127.0.0.1:8082).")
    String workerUrl;

    @Option(names = "--kafka", defaultValue = "${env:RAGTUNE_KAFKA_BOOTSTRAP}", description = "Kafka bootstrap servers (env RAGTUNE_KAFKA_BOOTSTRAP; default: from platform.json, else 127.0.0.1:9092).")
    String kafka;

    @Option(names = "--api-key", defaultValue = "${env:RAGTUNE_API_KEY}", description = "API key for every call (env RAGTUNE_API_KEY; default: the key of the role the command needs, from api-keys.json).")
    String apiKey;

    private PlatformState state;
    private boolean stateRead;

    public PlatformHome home() {
        return new PlatformHome(dataDir != null ? dataDir : RagtuneCli.home());
    }

    public URI ragUrl() {
        return url(Service.RAG, ragUrl, PlatformSettings.RAG_PORT);
    }

    public URI registryUrl() {
        return url(Service.REGISTRY, registryUrl, PlatformSettings.REGISTRY_PORT);
    }

    public URI workerUrl() {
        return url(Service.WORKER, workerUrl, PlatformSettings.WORKER_PORT);
    }

    public String kafkaBootstrap() {
        if (kafka != null && !kafka.isBlank()) {
            return kafka.strip();
        }
        return component(Service.KAFKA).orElse("127.0.0.1:" + PlatformSettings.KAFKA_PORT);
    }

    /**
     * The key to call with: {@code --api-key} if given, else {@code role}'s key in {@code api-keys.json}
     * ({@code admin}'s when the file has no such role).
     */
    public String key(String role) {
        if (apiKey != null && !apiKey.isBlank()) {
            return apiKey.strip();
        }
        Path file = home().apiKeys();
        if (!Files.exists(file)) {
            throw CliException.failed("no API key: " + file + " does not exist; pass --api-key (or RAGTUNE_API_KEY), "
                    + "or start the platform with 'ragtune up', which writes it");
        }
        Map<String, String> keys;
        try {
            keys = ApiKeyFile.read(file);
        } catch (IllegalArgumentException e) {
            throw CliException.failed(e.getMessage());
        }
        String key = keys.getOrDefault(role, keys.get("admin"));
        if (key == null) {
            throw CliException.failed(file + " has no key of role '" + role + "' (nor 'admin'); pass --api-key");
        }
        return key;
    }

    /** A registry client with {@code role}'s key; errors come back as {@link CliException}s through {@link Registry}. */
    public Registry registry(String role) {
        return new Registry(new RegistryClient(registryUrl(), key(role), Duration.ofSeconds(5), Duration.ofMinutes(2)));
    }

    public WorkerClient worker(String role) {
        return new WorkerClient(new JsonHttp(Service.WORKER, workerUrl(), key(role)));
    }

    public RagClient rag(String role) {
        return new RagClient(new JsonHttp(Service.RAG, ragUrl(), key(role)));
    }

    public KafkaAccess kafka() {
        return new KafkaAccess(kafkaBootstrap());
    }

    private URI url(Service service, String option, int defaultPort) {
        String value = option != null && !option.isBlank() ? option.strip()
                : component(service).orElse("http://127.0.0.1:" + defaultPort);
        try {
            URI uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(service.displayName() + " URL '" + value + "' is invalid: " + e.getMessage());
        }
    }

    private Optional<String> component(Service service) {
        if (!stateRead) {
            stateRead = true;
            try {
                state = PlatformState.read(home().state()).orElse(null);
            } catch (IllegalArgumentException e) {
                state = null; // unreadable: fall back to the defaults
            }
        }
        if (state == null || state.components() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(state.components().get(service.displayName())).map(PlatformState.Component::endpoint);
    }
}
