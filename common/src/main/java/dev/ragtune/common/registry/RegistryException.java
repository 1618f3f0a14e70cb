package dev.ragtune.common.registry;

/**
 * The registry answered with an error: {@code status} is the HTTP status, {@code code} the registry's error code
 * ({@code not_found}, {@code conflict}, {@code unprocessable}, …) and the message is the registry's own.
 */
public class RegistryException extends RuntimeException {
    private final int status;
    private final String code;

    public RegistryException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public RegistryException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    /** HTTP status, or 0 when the registry could not be reached. */
    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
