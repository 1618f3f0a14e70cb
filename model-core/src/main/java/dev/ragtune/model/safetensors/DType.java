package dev.ragtune.model.safetensors;

import java.nio.ByteBuffer;

/** Element types of safetensors files that hold model weights. */
public enum DType {
    F32(4), F16(2), BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** Reads element {@code i} (little-endian buffer) as float. */
    float read(ByteBuffer buf, int i) {
        return switch (this) {
            case F32 -> buf.getFloat(i * 4);
            case F16 -> Float.float16ToFloat(buf.getShort(i * 2));
            case BF16 -> Float.intBitsToFloat((buf.getShort(i * 2) & 0xFFFF) << 16);
        };
    }

    /** Writes {@code v} at the buffer's position; BF16 rounds to nearest even. */
    void write(ByteBuffer buf, float v) {
        switch (this) {
            case F32 -> buf.putFloat(v);
            case F16 -> buf.putShort(Float.floatToFloat16(v));
            case BF16 -> {
                int bits = Float.floatToRawIntBits(v);
                int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
                buf.putShort((short) (rounded >>> 16));
            }
        }
    }

    public static DType parse(String name, String where) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new dev.ragtune.model.ModelFormatException(where + ": tensor dtype " + name
                    + " is not supported (supported: F32, F16, BF16)");
        }
    }
}
