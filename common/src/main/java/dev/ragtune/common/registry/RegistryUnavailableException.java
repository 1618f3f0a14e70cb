package dev.ragtune.common.registry;

/**
 * The registry could not be reached, timed out or failed on its side (5xx): the call may succeed if retried.
 */
public class RegistryUnavailableException extends RegistryException {
    public RegistryUnavailableException(int status, String message, Throwable cause) {
        super(status, "unavailable", message, cause);
    }
}
