package dev.ragtune.cli.client;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tuning-worker's API (see docs/tuning-worker.md): jobs and what became of produced records. */
public final class WorkerClient implements AutoCloseable {
    private static final JavaType JOBS = JsonHttp.JSON.getTypeFactory().constructCollectionType(List.class, JobInfo.class);

    private final JsonHttp http;

    WorkerClient(JsonHttp http) {
        this.http = http;
    }

    /** Newest first. */
    public List<JobInfo> jobs(String adapter, String status, int limit) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("adapter", adapter);
        q.put("status", status);
        q.put("limit", limit);
        return http.get(JOBS, q, "v1", "jobs");
    }

    public JobInfo job(String id) {
        return http.get(JobInfo.class, Map.of(), "v1", "jobs", id);
    }

    /** Queues a job: {@code {adapter, fromScratch?, hyperparameters?}}. */
    public JobInfo startJob(String adapter, Boolean fromScratch, Map<String, Number> hyperparameters) {
        ObjectNode body = JsonHttp.JSON.createObjectNode().put("adapter", adapter);
        if (fromScratch != null) {
            body.put("fromScratch", fromScratch);
        }
        if (hyperparameters != null && !hyperparameters.isEmpty()) {
            body.set("hyperparameters", JsonHttp.JSON.valueToTree(hyperparameters));
        }
        return http.postJson(JobInfo.class, body, "v1", "jobs");
    }

    public RecordOutcome outcome(int partition, long from, long to) {
        return http.get(RecordOutcome.class, Map.of("partition", partition, "from", from, "to", to), "v1", "records", "outcomes");
    }

    public String url() {
        return http.base().toString();
    }

    @Override
    public void close() {
        http.close();
    }
}
