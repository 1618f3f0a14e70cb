package dev.ragtune.cli.client;

/**
 * An expected failure of a command: printed as one line (no stack trace) and turned into the exit code —
 * 1 when a service is down or refused the request, 2 for bad input.
 */
public class CliException extends RuntimeException {
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    /** What every "service down" message ends with. */
    public static final String HINT = "is the platform running? 'ragtune status' shows it, 'ragtune up' starts it";

    private final int exitCode;
    private final int status;

    public CliException(int exitCode, String message) {
        this(exitCode, 0, message);
    }

    public CliException(int exitCode, int status, String message) {
        super(message);
        this.exitCode = exitCode;
        this.status = status;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The HTTP status the service answered with; 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** A service that cannot be reached: its name, where it was looked for and why it failed. */
    public static CliException unavailable(Service service, String endpoint, String cause) {
        return new Unavailable(service, service.displayName() + " is not reachable at " + endpoint + " (" + cause + "); " + HINT);
    }

    /** A service answered with an error: 400, 413, 415 and 422 are bad input (exit 2), the rest exit 1. */
    public static CliException answered(Service service, int status, String message) {
        boolean badInput = status == 400 || status == 413 || status == 415 || status == 422;
        return new CliException(badInput ? BAD_INPUT : FAILED, status, service.displayName() + " answered " + status + ": " + message);
    }

    public static CliException badInput(String message) {
        return new CliException(BAD_INPUT, message);
    }

    public static CliException failed(String message) {
        return new CliException(FAILED, message);
    }

    /** The service could not be reached at all (connection refused, timeout, no broker). */
    public static final class Unavailable extends CliException {
        private final Service service;

        Unavailable(Service service, String message) {
            super(FAILED, message);
            this.service = service;
        }

        public Service service() {
            return service;
        }
    }
}
