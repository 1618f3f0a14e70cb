package dev.ragtune.service.errors;

import dev.ragtune.common.errors.ApiException;

/** Checks of values where they enter a service; each failure is a 400 naming the field. */
public final class Inputs {

    private Inputs() {
    }

    /** {@code value} (or {@code dflt} when absent) within [min, max]. */
    public static int range(Integer value, int dflt, int min, int max, String field) {
        int v = value == null ? dflt : value;
        if (v < min || v > max) {
            throw ApiException.badRequest(field + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    /** A client's text: no U+0000 (PostgreSQL cannot store it), at most {@code maxLength} characters; null stays null. */
    public static String text(String value, int maxLength, String field) {
        if (value == null) {
            return null;
        }
        if (value.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest(field + " must not contain the NUL character (U+0000)");
        }
        if (value.length() > maxLength) {
            throw ApiException.badRequest(field + " is longer than " + maxLength + " characters (" + value.length() + ")");
        }
        return value;
    }

    /** Whether {@code value} contains U+0000. */
    public static boolean hasNul(String value) {
        return value != null && value.indexOf('\u0000') >= 0;
    }

    /** Model output made storable: U+0000 removed (PostgreSQL text cannot hold it). */
    public static String storable(String value) {
        return value == null || value.indexOf('\u0000') < 0 ? value : value.replace("\u0000", "");
    }
}
