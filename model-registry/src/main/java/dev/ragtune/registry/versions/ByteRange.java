package dev.ragtune.registry.versions;

import dev.ragtune.common.errors.ApiException;

/** One byte range of a {@code Range: bytes=…} request (RFC 9110 §14), inclusive bounds. */
public record ByteRange(long start, long end) {

    public long length() {
        return end - start + 1;
    }

    /**
     * Parses a Range header against a representation of {@code size} bytes.
     *
     * @return the range, or {@code null} when the header is absent, not a bytes range, malformed or asks for
     * several ranges (the whole file is then served with 200, as RFC 9110 allows)
     * @throws ApiException 416 when the range cannot be satisfied
     */
    public static ByteRange parse(String header, long size) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        String spec = h.substring(6).trim();
        if (spec.contains(",")) {
            return null;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) {
                if (b.isEmpty()) {
                    return null;
                }
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || size == 0) {
                    throw unsatisfiable(header, size);
                }
                return new ByteRange(Math.max(0, size - suffix), size - 1);
            }
            long start = Long.parseLong(a);
            long end = b.isEmpty() ? size - 1 : Long.parseLong(b);
            if (start >= size) {
                throw unsatisfiable(header, size);
            }
            if (start < 0 || end < start) {
                return null;
            }
            return new ByteRange(start, Math.min(end, size - 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static ApiException unsatisfiable(String header, long size) {
        return new ApiException(416, "range_not_satisfiable", "range '" + header + "' is outside the file of " + size + " bytes");
    }
}
