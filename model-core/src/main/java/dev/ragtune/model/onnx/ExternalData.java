package dev.ragtune.model.onnx;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code model.onnx.data} file beside an exported graph: initializer bytes appended one after
 * another (8-byte aligned), referenced from the graph by location, offset and length. Keeps the
 * protobuf itself small and lifts the 2 GiB protobuf limit.
 */
final class ExternalData implements AutoCloseable {
    private final String fileName;
    private final OutputStream out;
    private long offset;

    ExternalData(Path file) throws IOException {
        this.fileName = file.getFileName().toString();
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
    }

    String fileName() {
        return fileName;
    }

    /** Appends little-endian float32 or float16 values; returns the offset they start at. */
    long append(float[] values, boolean fp16) throws IOException {
        long start = offset;
        int elem = fp16 ? 2 : 4;
        int chunk = 1 << 16;
        ByteBuffer buf = ByteBuffer.allocate(chunk * elem).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i += chunk) {
            buf.clear();
            int n = Math.min(chunk, values.length - i);
            for (int j = 0; j < n; j++) {
                if (fp16) {
                    buf.putShort(Float.floatToFloat16(values[i + j]));
                } else {
                    buf.putFloat(values[i + j]);
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
        offset += (long) values.length * elem;
        long pad = (8 - offset % 8) % 8;
        for (int i = 0; i < pad; i++) {
            out.write(0);
        }
        offset += pad;
        return start;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
