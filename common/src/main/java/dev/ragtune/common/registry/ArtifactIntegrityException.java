package dev.ragtune.common.registry;

/** A downloaded file does not have the sha256 or size the registry listed for it; the file was not kept. */
public class ArtifactIntegrityException extends RegistryException {
    public ArtifactIntegrityException(String message) {
        super(0, "integrity", message);
    }
}
