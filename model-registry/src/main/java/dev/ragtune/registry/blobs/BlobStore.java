package dev.ragtune.registry.blobs;

import java.io.IOException;
import java.io.InputStream;

/**
 * Content-addressed store of file contents, keyed by the lowercase hex sha256 of the bytes.
 *
 * <p>Writing is two-phase so that a multi-file upload is all-or-nothing: {@link #stage} streams the
 * bytes somewhere private while hashing them; only {@link #commit} makes the blob visible under its
 * hash, and {@link #discard} throws a staged blob away. Implementations must make {@code commit}
 * atomic (a blob is either absent or complete) and idempotent (committing bytes that already exist is a no-op).
 */
public interface BlobStore {

    /** Bytes streamed into the store but not visible yet. */
    interface Staged {
        String sha256();

        long size();
    }

    Staged stage(InputStream content) throws IOException;

    void commit(Staged staged) throws IOException;

    void discard(Staged staged);

    boolean exists(String sha256);

    /** Size in bytes of a committed blob. */
    long size(String sha256) throws IOException;

    /** Reads {@code length} bytes from {@code offset} of a committed blob. */
    InputStream open(String sha256, long offset, long length) throws IOException;
}
