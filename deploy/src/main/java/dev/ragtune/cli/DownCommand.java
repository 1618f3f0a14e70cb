package dev.ragtune.cli;

import dev.ragtune.cli.platform.PlatformHome;
import dev.ragtune.cli.platform.PlatformState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code ragtune down}: stops a running platform cleanly; its state stays for the next {@code up}. */
@Command(name = "down", mixinStandardHelpOptions = true, description = "Stops the platform started by 'ragtune up'; data stays.")
public final class DownCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", description = "State directory (default: $RAGTUNE_HOME or ./.ragtune).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        PlatformHome home = new PlatformHome(dataDir != null ? dataDir : RagtuneCli.home());
        Optional<PlatformState> state = PlatformState.read(home.state());
        if (state.isEmpty()) {
            spec.commandLine().getOut().println("ragtune: the platform is not running (no " + home.state() + ")");
            return 0;
        }
        Optional<ProcessHandle> supervisor = ProcessHandle.of(state.get().supervisorPid());
        if (supervisor.isEmpty() || !supervisor.get().isAlive()) {
            Files.deleteIfExists(home.state());
            spec.commandLine().getOut().println("ragtune: the platform is not running (removed a stale " + home.state() + ")");
            return 0;
        }
        spec.commandLine().getOut().println("ragtune: stopping the platform (pid " + state.get().supervisorPid() + ")…");
        spec.commandLine().getOut().flush();
        supervisor.get().destroy();
        try {
            supervisor.get().onExit().get(180, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            spec.commandLine().getErr().println("ragtune: the platform did not stop within 180 s; see " + home.log("platform"));
            return 1;
        }
        spec.commandLine().getOut().println("ragtune: stopped; data stays in " + home.root());
        return 0;
    }
}
