package dev.ragtune.cli.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyFileTest {
    @TempDir
    Path tmp;

    @Test
    void generatesOneKeyPerRoleOnceAndKeepsThem() throws Exception {
        Path file = tmp.resolve("api-keys.json");
        Map<String, String> first = ApiKeyFile.loadOrCreate(file);
        assertThat(first.keySet()).containsExactlyElementsOf(ApiKeyFile.ROLES);
        assertThat(first.values()).doesNotHaveDuplicates().allSatisfy(k -> assertThat(k).hasSizeGreaterThan(40));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(ApiKeyFile.loadOrCreate(file)).isEqualTo(first);
    }

    @Test
    void overridesReplaceOnlyTheGivenRoles() {
        Path file = tmp.resolve("api-keys.json");
        Map<String, String> generated = ApiKeyFile.loadOrCreate(file);
        String ops = "ops-key-from-the-vault-" + System.nanoTime();
        ApiKeyFile.override(file, Map.of("ops", ops));
        Map<String, String> after = ApiKeyFile.loadOrCreate(file);
        assertThat(after.get("ops")).isEqualTo(ops);
        assertThat(after.get("admin")).isEqualTo(generated.get("admin"));
    }

    @Test
    void badOverridesNameWhatIsWrongAndChangeNothing() {
        Path file = tmp.resolve("api-keys.json");
        Map<String, String> before = ApiKeyFile.loadOrCreate(file);
        assertThatThrownBy(() -> ApiKeyFile.override(file, Map.of("root", "a-long-enough-key-123")))
                .hasMessageContaining("unknown role 'root'");
        assertThatThrownBy(() -> ApiKeyFile.override(file, Map.of("query", "short")))
                .hasMessageContaining("role 'query'").hasMessageContaining("16");
        assertThatThrownBy(() -> ApiKeyFile.override(file, Map.of("query", "has a space in it, long enough")))
                .hasMessageContaining("role 'query'");
        assertThat(ApiKeyFile.loadOrCreate(file)).isEqualTo(before);
    }

    @Test
    void environmentVariablesNameTheRoleInUpperCase() {
        assertThat(ApiKeyFile.fromEnvironment(Map.of("RAGTUNE_KEY_OPS", "k1-abcdefghijklmnop", "RAGTUNE_KEY_QUERY", " ",
                "RAGTUNE_KEY_ROOT", "ignored-abcdefghijkl", "PATH", "/bin")))
                .containsExactly(Map.entry("ops", "k1-abcdefghijklmnop"));
    }
}
