package dev.ragtune.model.safetensors;

import java.util.Arrays;

/** One tensor entry of a safetensors header: where its bytes lie relative to the data section. */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
