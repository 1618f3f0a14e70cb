package dev.ragtune.cli.adapters;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code 3} or {@code v3}, at least 1. */
public final class VersionConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        String digits = value.startsWith("v") || value.startsWith("V") ? value.substring(1) : value;
        try {
            int v = Integer.parseInt(digits);
            if (v < 1) {
                throw new TypeConversionException("a version is 1 or more, got '" + value + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a version number (e.g. 3 or v3)");
        }
    }
}
