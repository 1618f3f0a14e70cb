package dev.ragtune.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Entry point of the broker child process started by {@link KafkaBroker}.
 *
 * <p>{@code format <args…>} runs Kafka's {@code StorageTool}; {@code serve <server.properties>} runs
 * {@code kafka.Kafka}. While serving, a watchdog reads standard input, which is a pipe from the
 * parent JVM: when the parent dies the pipe closes and the broker shuts down, so no orphan broker
 * survives a crashed test run.
 */
public final class KafkaMain {

    private KafkaMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KafkaMain format <storage tool args…> | serve <server.properties>");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "format" -> kafka.tools.StorageTool.main(args); // "format" is the tool's own subcommand
            case "serve" -> {
                Thread watchdog = new Thread(KafkaMain::exitWhenParentGone, "parent-watchdog");
                watchdog.setDaemon(true);
                watchdog.start();
                kafka.Kafka.main(rest);
            }
            default -> {
                System.err.println("unknown command " + args[0]);
                System.exit(2);
            }
        }
    }

    private static void exitWhenParentGone() {
        InputStream in = System.in;
        byte[] buf = new byte[64];
        try {
            while (in.read(buf) >= 0) {
                // the parent never writes; reading only detects the end of the pipe
            }
        } catch (IOException ignored) {
            // treat as gone
        }
        System.err.println("ragtune: parent process gone, shutting the broker down");
        System.exit(0);
    }
}
