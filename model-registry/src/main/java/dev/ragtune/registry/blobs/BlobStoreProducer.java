package dev.ragtune.registry.blobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import dev.ragtune.registry.config.RegistryConfig;

/** The blob store in use: the file-system one under {@code ragtune.registry.blob-dir}. */
public class BlobStoreProducer {

    @Produces
    @ApplicationScoped
    BlobStore blobStore(RegistryConfig config) {
        return new FileSystemBlobStore(config.blobDir());
    }
}
