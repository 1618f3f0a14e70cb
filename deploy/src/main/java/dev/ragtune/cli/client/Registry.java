package dev.ragtune.cli.client;

import dev.ragtune.common.registry.RegistryClient;
import dev.ragtune.common.registry.RegistryException;
import dev.ragtune.common.registry.RegistryUnavailableException;

import java.util.function.Function;

/** The model-registry through common's {@link RegistryClient}, its failures turned into {@link CliException}s. */
public final class Registry implements AutoCloseable {
    private final RegistryClient client;

    Registry(RegistryClient client) {
        this.client = client;
    }

    public <T> T call(Function<RegistryClient, T> call) {
        try {
            return call.apply(client);
        } catch (RegistryUnavailableException e) {
            if (e.status() == 0) {
                throw CliException.unavailable(Service.REGISTRY, client.baseUrl().toString(), JsonHttp.describe(e));
            }
            throw CliException.failed(Service.REGISTRY.displayName() + " answered " + e.status() + ": " + message(e));
        } catch (RegistryException e) {
            throw CliException.answered(Service.REGISTRY, e.status(), message(e));
        }
    }

    /** The registry's own message, without the {@code METHOD url: } prefix RegistryClient puts before it. */
    private static String message(RegistryException e) {
        String m = e.getMessage();
        int i = m == null ? -1 : m.indexOf(": ");
        return i > 0 && (m.startsWith("GET ") || m.startsWith("PUT ") || m.startsWith("POST ") || m.startsWith("DELETE "))
                ? m.substring(i + 2) : m;
    }

    @Override
    public void close() {
        client.close();
    }
}
