package dev.ragtune.cli.client;

/** The parts of the platform a command talks to, by the names {@code ragtune status} shows. */
public enum Service {
    RAG("rag-service"), REGISTRY("model-registry"), WORKER("tuning-worker"), KAFKA("kafka");

    private final String displayName;

    Service(String displayName) {
        this.displayName = displayName;
    }

    /** The component name in {@code platform.json} and in messages. */
    public String displayName() {
        return displayName;
    }
}
