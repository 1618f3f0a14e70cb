package dev.ragtune.tuning.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU seconds used so far by a process tree found in /proc by a string in its command line (PostgreSQL's postmaster
 * with its data directory, the broker JVM with its log directory): utime + stime of the root and its live descendants,
 * plus cutime + cstime of the root (children that exited). Linux only; 0 when not found.
 */
final class ProcessCpu {

    private static final double TICKS = 100.0; // USER_HZ

    private ProcessCpu() {
    }

    static double seconds(String commandLineContains) {
        Map<Long, Long> parent = new HashMap<>();
        Map<Long, long[]> times = new HashMap<>();
        List<Long> roots = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    long pid = Long.parseLong(name);
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    parent.put(pid, Long.parseLong(f[1]));
                    times.put(pid, new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])});
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmd.contains(commandLineContains) && !cmd.contains("surefire")) {
                        roots.add(pid);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            return 0;
        }
        long ticks = 0;
        for (long pid : times.keySet()) {
            boolean inTree = false;
            boolean isRoot = roots.contains(pid);
            for (long p = pid; p > 1 && !inTree; p = parent.getOrDefault(p, 0L)) {
                inTree = roots.contains(p);
            }
            if (inTree) {
                long[] t = times.get(pid);
                ticks += t[0] + t[1];
                boolean parentInTree = false;
                for (long p = parent.getOrDefault(pid, 0L); p > 1 && !parentInTree; p = parent.getOrDefault(p, 0L)) {
                    parentInTree = roots.contains(p);
                }
                if (isRoot && !parentInTree) {
                    ticks += t[2] + t[3];
                }
            }
        }
        return ticks / TICKS;
    }
}
