package dev.ragtune.cli.jobs;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --set KEY=VALUE} training overrides as numbers (whole numbers as integers); the worker checks names and ranges. */
public final class HyperparameterOverrides {
    private HyperparameterOverrides() {
    }

    public static Map<String, Number> parse(Map<String, String> settings, CommandLine cmd) {
        Map<String, Number> out = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            try {
                BigDecimal n = new BigDecimal(v.strip());
                out.put(k, n.scale() <= 0 ? n.toBigIntegerExact() : n);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new ParameterException(cmd, "--set " + k + "=" + v + ": the value must be a number");
            }
        });
        return out;
    }
}
