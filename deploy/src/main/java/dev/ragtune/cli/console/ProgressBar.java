package dev.ragtune.cli.console;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar: {@code [##########----------]  50%  10/20  <detail>}. On a terminal it redraws in place
 * ({@code \r}); otherwise (a pipe, a log, a test) it prints a line whenever the percentage crosses another
 * {@value #STEP_PERCENT} % and at the end, so logs stay short.
 */
public final class ProgressBar {
    static final int WIDTH = 30;
    static final int STEP_PERCENT = 25;

    private final PrintWriter out;
    private final String label;
    private final boolean interactive;
    private int lastPercent = -1;
    private int lastWidth;
    private boolean open;

    public ProgressBar(PrintWriter out, String label, boolean interactive) {
        this.out = out;
        this.label = label;
        this.interactive = interactive;
    }

    /** A bar that redraws in place when standard output is a terminal. */
    public static ProgressBar of(PrintWriter out, String label) {
        return new ProgressBar(out, label, terminal());
    }

    /** Whether standard output is a terminal ({@code Console.isTerminal} where the JDK has it, i.e. 22+). */
    static boolean terminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** Shows {@code done} of {@code total} (total ≤ 0: unknown) with a detail text after the counts. */
    public void update(long done, long total, String detail) {
        int percent = total > 0 ? (int) Math.min(100, done * 100 / total) : 0;
        String line = render(label, done, total, detail);
        if (interactive) {
            String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
            out.print("\r" + padded);
            lastWidth = line.length();
            open = true;
        } else if (lastPercent < 0 || percent / STEP_PERCENT > lastPercent / STEP_PERCENT || (percent == 100 && lastPercent < 100)) {
            out.println(line);
            lastPercent = percent;
        }
        out.flush();
    }

    /** Ends the bar's line (a terminal's bar stays on screen). */
    public void finish() {
        if (open) {
            out.println();
            open = false;
        }
        out.flush();
    }

    /** The bar's text, e.g. {@code records [###---]  50%  10/20  acknowledged}. */
    public static String render(String label, long done, long total, String detail) {
        StringBuilder sb = new StringBuilder();
        if (label != null && !label.isEmpty()) {
            sb.append(label).append(' ');
        }
        sb.append(bar(done, total, WIDTH));
        if (total > 0) {
            sb.append(String.format(Locale.ROOT, " %3d%%  %d/%d", Math.min(100, done * 100 / total), done, total));
        } else {
            sb.append("  ").append(done);
        }
        if (detail != null && !detail.isBlank()) {
            sb.append("  ").append(detail);
        }
        return sb.toString();
    }

    /** {@code [#####-----]}: {@code width} cells, filled in proportion (an unknown total shows an empty bar). */
    public static String bar(long done, long total, int width) {
        int filled = total > 0 ? (int) Math.min(width, Math.max(0, done) * width / total) : 0;
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }
}
