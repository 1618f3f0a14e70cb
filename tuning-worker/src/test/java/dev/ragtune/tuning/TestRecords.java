package dev.ragtune.tuning;

/** JSON training records for the tests. */
public final class TestRecords {

    private TestRecords() {
    }

    public static String chat(String id, String adapter, String question, String answer) {
        return "{\"id\": \"" + id + "\", \"adapter\": \"" + adapter + "\", \"messages\": ["
                + "{\"role\": \"system\", \"content\": \"You answer questions about the Zorbat valley.\"},"
                + "{\"role\": \"user\", \"content\": \"" + question + "\"},"
                + "{\"role\": \"assistant\", \"content\": \"" + answer + "\"}], \"metadata\": {\"source\": \"test\"}}";
    }

    public static String chat(String id, String adapter, int n) {
        return chat(id, adapter, "What is fact number " + n + "?", "Fact " + n + " is that the river runs violet.");
    }

    public static Kafka.Message message(String id, String adapter, int n) {
        return Kafka.Message.of(id, chat(id, adapter, n));
    }
}
