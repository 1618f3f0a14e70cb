package dev.ragtune.registry.blobs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * {@link BlobStore} in a directory: {@code <root>/<aa>/<sha256>}, staged as {@code <root>/tmp/<random>}
 * and renamed into place (same file system, so the rename is atomic).
 */
public class FileSystemBlobStore implements BlobStore {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private final Path root;
    private final Path tmp;

    public FileSystemBlobStore(Path root) {
        try {
            this.root = root.toAbsolutePath();
            this.tmp = this.root.resolve("tmp");
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create blob directory " + root + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    record FileStaged(String sha256, long size, Path file) implements Staged {
    }

    @Override
    public Staged stage(InputStream content) throws IOException {
        Path file = Files.createTempFile(tmp, "upload-", ".part");
        MessageDigest digest = sha256Digest();
        long size;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE), digest)) {
            size = content.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new FileStaged(HexFormat.of().formatHex(digest.digest()), size, file);
    }

    @Override
    public void commit(Staged staged) throws IOException {
        FileStaged s = (FileStaged) staged;
        Path target = path(s.sha256());
        if (Files.exists(target)) {
            Files.deleteIfExists(s.file());
            return;
        }
        Files.createDirectories(target.getParent());
        try (FileChannel ch = FileChannel.open(s.file(), StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(s.file(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(s.file());
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("blob directory " + root + " does not support atomic renames", e);
        }
    }

    @Override
    public void discard(Staged staged) {
        try {
            Files.deleteIfExists(((FileStaged) staged).file());
        } catch (IOException ignored) {
            // a stray temporary file is harmless
        }
    }

    @Override
    public boolean exists(String sha256) {
        return SHA256.matcher(sha256).matches() && Files.isRegularFile(path(sha256));
    }

    @Override
    public long size(String sha256) throws IOException {
        return Files.size(path(sha256));
    }

    @Override
    public InputStream open(String sha256, long offset, long length) throws IOException {
        Path p = path(sha256);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(p.toString());
        }
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
        ch.position(offset);
        InputStream in = Channels.newInputStream(ch);
        return new FilterInputStream(in) {
            private long left = length;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }

    Path path(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a sha256: " + sha256);
        }
        return root.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
