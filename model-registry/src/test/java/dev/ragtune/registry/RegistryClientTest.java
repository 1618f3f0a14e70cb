package dev.ragtune.registry;

import static dev.ragtune.registry.EmbeddedServices.OPS;
import static dev.ragtune.registry.EmbeddedServices.PUBLISHER;
import static dev.ragtune.registry.EmbeddedServices.READER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ragtune.common.manifest.MetricNames;
import dev.ragtune.common.manifest.VersionManifest;
import dev.ragtune.common.registry.AdapterInfo;
import dev.ragtune.common.registry.AliasChange;
import dev.ragtune.common.registry.ArtifactIntegrityException;
import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.common.registry.RegistryException;
import dev.ragtune.common.registry.RegistryUnavailableException;
import dev.ragtune.common.registry.VersionInfo;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The shared {@link RegistryClient} (common) against this module's real registry, served by {@code @QuarkusTest} on a
 * real port on a real PostgreSQL and Kafka: publish, alias, resolve, verified download, error mapping, outage and
 * return. The outage is a real one at the client's URL: the client talks to the registry through a {@link TcpForwarder}
 * that the test stops (nothing listens on that port: connection refused, as with a registry that is down) and starts
 * again on the same port, while the application under test keeps running.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedServices.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RegistryClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource
    URL url;

    @InjectEmbedded
    Path blobDir;

    static Path dir;

    @BeforeAll
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("registry-client-test-");
    }

    @AfterAll
    static void deleteDir() throws IOException {
        if (dir != null) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The registry under test, as a client is configured with it: scheme, host and port. */
    private URI registry() {
        return URI.create(url.getProtocol() + "://" + url.getHost() + ":" + url.getPort());
    }

    private static Path randomFile(String name, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path f = Files.createDirectories(dir.resolve("upload-" + seed)).resolve(name);
        Files.write(f, b);
        return f;
    }

    @Test
    void publishesAliasesAndDownloadsVerifiedFiles() throws Exception {
        try (RegistryClient publisher = new RegistryClient(registry(), PUBLISHER);
             RegistryClient ops = new RegistryClient(registry(), OPS)) {
            publisher.ensureBaseModel("demo-tiny", "Qwen2ForCausalLM", "/models/tiny", "ab".repeat(32), "test base");
            publisher.ensureBaseModel("demo-tiny", "Qwen2ForCausalLM", "/models/tiny", "ab".repeat(32), "again: kept");
            AdapterInfo created = publisher.ensureAdapter("client-test", "demo-tiny", "client test");
            assertThat(created.latestVersion()).isZero();
            assertThat(publisher.ensureAdapter("client-test", "demo-tiny", "again").name()).isEqualTo("client-test");

            Path weights = randomFile("adapter_model.safetensors", 300_000, 1);
            Path config = randomFile("adapter_config.json", 1_000, 2);
            ObjectNode manifest = JSON.createObjectNode();
            manifest.putObject(VersionManifest.METRICS).put(MetricNames.EVAL_SET, "s1").put(MetricNames.EXACT_MATCH, 0.5);
            VersionInfo v1 = publisher.registerVersion("client-test", manifest, List.of(weights, config));
            assertThat(v1.version()).isEqualTo(1);
            assertThat(v1.files()).extracting(VersionInfo.FileInfo::name)
                    .containsExactlyInAnyOrder("adapter_model.safetensors", "adapter_config.json");
            assertThat(v1.file("adapter_model.safetensors").orElseThrow().sha256()).isEqualTo(RegistryClient.sha256(weights));

            assertThat(ops.resolveAlias("client-test", "production")).isEmpty();
            AliasChange change = ops.setAlias("client-test", "production", 1, "first", false);
            assertThat(change.changed()).isTrue();
            VersionInfo resolved = ops.resolveAlias("client-test", "production").orElseThrow();
            assertThat(resolved.version()).isEqualTo(1);

            Path out = publisher.downloadVersion(resolved, dir.resolve("download"));
            assertThat(Files.readAllBytes(out.resolve("adapter_model.safetensors"))).isEqualTo(Files.readAllBytes(weights));
            assertThat(Files.readAllBytes(out.resolve("adapter_config.json"))).isEqualTo(Files.readAllBytes(config));
            try (Stream<Path> left = Files.list(out)) {
                assertThat(left).hasSize(2); // no temporary files left behind
            }

            // the gate: a worse candidate is refused with the registry's 409 and message
            ObjectNode worse = JSON.createObjectNode();
            worse.putObject(VersionManifest.METRICS).put(MetricNames.EVAL_SET, "s1").put(MetricNames.EXACT_MATCH, 0.1);
            VersionInfo v2 = publisher.registerVersion("client-test", worse, List.of(randomFile("adapter_model.safetensors", 10, 3)));
            assertThatThrownBy(() -> ops.setAlias("client-test", "production", v2.version(), "worse", false))
                    .isInstanceOfSatisfying(RegistryException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.code()).isEqualTo("conflict");
                        assertThat(e.getMessage()).contains("exact_match");
                    });
            ops.setAlias("client-test", "staging", 1, "baseline", false);
            assertThat(ops.setAlias("client-test", "staging", v2.version(), "try it", false).version()).isEqualTo(2);
            AliasChange back = ops.rollback("client-test", "staging", "undo");
            assertThat(back.version()).isEqualTo(1);
            assertThat(ops.resolveAlias("client-test", "staging").orElseThrow().version()).isEqualTo(1);
            assertThat(ops.history("client-test")).isNotEmpty();
        }
    }

    @Test
    void mapsErrorsAndRejectsTamperedDownloads() throws Exception {
        try (RegistryClient publisher = new RegistryClient(registry(), PUBLISHER);
             RegistryClient reader = new RegistryClient(registry(), READER);
             RegistryClient stranger = new RegistryClient(registry(), "not-a-key")) {
            assertThat(reader.adapter("no-such-adapter")).isEmpty();
            assertThatThrownBy(() -> reader.resolveAlias("no-such-adapter", "production"))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> stranger.adapters())
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(401));
            assertThatThrownBy(() -> reader.ensureAdapter("x-reader", "demo-tiny", "readers cannot create"))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(403));

            publisher.ensureBaseModel("demo-tiny-2", "Qwen2ForCausalLM", "/m", "cd".repeat(32), "");
            publisher.ensureAdapter("tamper-test", "demo-tiny-2", "");
            Path f = randomFile("adapter.onnx_adapter", 50_000, 9);
            VersionInfo v = publisher.registerVersion("tamper-test", JSON.createObjectNode(), List.of(f));
            VersionInfo.FileInfo listed = v.file("adapter.onnx_adapter").orElseThrow();
            // the blob store is content-addressed: <dir>/<sha[0..2]>/<sha>; flip one byte of the stored blob
            Path blob = blobDir.resolve(listed.sha256().substring(0, 2)).resolve(listed.sha256());
            byte[] bytes = Files.readAllBytes(blob);
            bytes[bytes.length / 2] ^= 0x5a;
            Files.write(blob, bytes);
            Path target = dir.resolve("tampered");
            assertThatThrownBy(() -> reader.downloadVersion(v, target))
                    .isInstanceOf(ArtifactIntegrityException.class)
                    .hasMessageContaining("adapter.onnx_adapter").hasMessageContaining(listed.sha256());
            try (Stream<Path> left = Files.list(target)) {
                assertThat(left).isEmpty();
            }
        }
    }

    @Test
    void unreachableRegistryIsRetryableAndRecovers() {
        try (TcpForwarder path = TcpForwarder.to(url.getHost(), url.getPort());
             RegistryClient reader = new RegistryClient(path.httpUrl(), READER)) {
            path.stop();
            assertThatThrownBy(reader::adapters).isInstanceOf(RegistryUnavailableException.class)
                    .hasMessageContaining(path.httpUrl().toString());
            path.start();
            assertThat(reader.adapters()).isNotNull();
        }
    }
}
