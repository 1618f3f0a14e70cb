package dev.ragtune.cli;

import dev.ragtune.cli.platform.PlatformHome;
import dev.ragtune.cli.platform.PlatformState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code ragtune status}: each component of the running platform and its health. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Shows each component of the platform and its health.")
public final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", description = "State directory (default: $RAGTUNE_HOME or ./.ragtune).")
    Path dataDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PlatformHome home = new PlatformHome(dataDir != null ? dataDir : RagtuneCli.home());
        Optional<PlatformState> state = PlatformState.read(home.state());
        if (state.isEmpty() || !state.get().supervisorAlive()) {
            out.println("ragtune: the platform is not running" + (state.isPresent() ? " (stale " + home.state() + ")" : "")
                    + "; start it with 'ragtune up'");
            return 3;
        }
        PlatformState s = state.get();
        out.println("ragtune: platform pid " + s.supervisorPid() + ", up since " + s.startedAt() + ", data " + s.home());
        out.println("  base model " + s.baseModel() + " (" + s.checkpoint() + ")");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        boolean allHealthy = true;
        for (var e : s.components().entrySet()) {
            String health = health(http, e.getValue());
            allHealthy &= health.startsWith("UP");
            out.printf("  %-15s %-6s %-32s %s%n", e.getKey(), health, e.getValue().endpoint(), e.getValue().log());
        }
        return allHealthy ? 0 : 1;
    }

    private static String health(HttpClient http, PlatformState.Component c) {
        if ("tcp".equals(c.health())) {
            URI uri = URI.create(c.endpoint().contains("://") ? c.endpoint() : "tcp://" + c.endpoint());
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
                return "UP";
            } catch (Exception e) {
                return "DOWN";
            }
        }
        try {
            int code = http.send(HttpRequest.newBuilder(URI.create(c.health())).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            return code == 200 ? "UP" : "DOWN(" + code + ")";
        } catch (Exception e) {
            return "DOWN";
        }
    }
}
