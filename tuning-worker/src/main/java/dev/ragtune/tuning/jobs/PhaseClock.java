package dev.ragtune.tuning.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall seconds per phase of one job attempt, written to the job as {@code phaseSeconds}. */
final class PhaseClock {
    private final Map<JobPhase, Double> seconds = new LinkedHashMap<>();
    private final long started = System.nanoTime();
    private JobPhase current;
    private long currentStart;

    void start(JobPhase phase) {
        stop();
        current = phase;
        currentStart = System.nanoTime();
    }

    /** Ends the running phase; returns its seconds (0 when none was running). */
    double stop() {
        if (current == null) {
            return 0;
        }
        double s = (System.nanoTime() - currentStart) / 1e9;
        seconds.merge(current, s, Double::sum);
        current = null;
        return s;
    }

    JobPhase current() {
        return current;
    }

    double totalSeconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        seconds.forEach((p, s) -> o.put(p.key(), s));
        if (current != null) {
            o.put(current.key(), seconds.getOrDefault(current, 0.0) + (System.nanoTime() - currentStart) / 1e9);
        }
        o.put("total", totalSeconds());
        return o;
    }
}
