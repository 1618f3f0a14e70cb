package dev.ragtune.rag.documents;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** float[] ⇄ float32 little-endian bytes (the {@code chunk.embedding} column). */
final class Vectors {

    private Vectors() {
    }

    static byte[] toBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static float[] fromBytes(byte[] bytes) {
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
