package dev.ragtune.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtune.common.records.ChatMessage;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads training conversations from JSONL, one per line, in the OpenAI fine-tuning chat format
 * {@code {"messages":[{"role":"system|user|assistant","content":"..."}, ...]}} or the legacy
 * {@code {"prompt":"...","completion":"..."}} (read as one user turn and one assistant turn).
 * Blank lines are skipped. A bad line fails the whole read with its line number.
 */
public final class TrainingData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingData() {
    }

    /** A data-file problem a user can fix; the message names file, line and problem. */
    public static final class BadDataException extends RuntimeException {
        public BadDataException(String message) {
            super(message);
        }
    }

    public static List<List<ChatMessage>> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadDataException("training data " + file + " does not exist");
        }
        List<List<ChatMessage>> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                out.add(parseLine(line, file + " line " + n));
            }
        } catch (CharacterCodingException e) {
            throw new BadDataException(file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new BadDataException("cannot read " + file + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new BadDataException(file + " holds no training examples");
        }
        return out;
    }

    /** Parses one JSONL line; {@code where} prefixes error messages. */
    public static List<ChatMessage> parseLine(String line, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadDataException(where + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadDataException(where + ": expected a JSON object with \"messages\" or \"prompt\"/\"completion\"");
        }
        if (root.has("messages")) {
            JsonNode msgs = root.get("messages");
            if (!msgs.isArray() || msgs.isEmpty()) {
                throw new BadDataException(where + ": \"messages\" must be a non-empty array");
            }
            List<ChatMessage> out = new ArrayList<>();
            for (int i = 0; i < msgs.size(); i++) {
                JsonNode m = msgs.get(i);
                String role = m.path("role").asText(null);
                JsonNode content = m.get("content");
                if (role == null || !ChatMessage.ROLES.contains(role)) {
                    throw new BadDataException(where + ": message " + i + " has role " + m.get("role")
                            + "; expected one of system, user, assistant");
                }
                if (content == null || !content.isTextual()) {
                    throw new BadDataException(where + ": message " + i + " (" + role + ") needs a string \"content\"");
                }
                out.add(new ChatMessage(role, content.asText()));
            }
            if (!"assistant".equals(out.get(out.size() - 1).role())) {
                throw new BadDataException(where + ": the last message must be the assistant's answer to learn");
            }
            if (out.stream().noneMatch(m -> m.role().equals("user"))) {
                throw new BadDataException(where + ": a conversation needs at least one user message");
            }
            return out;
        }
        if (root.has("prompt") || root.has("completion")) {
            JsonNode p = root.get("prompt");
            JsonNode c = root.get("completion");
            if (p == null || !p.isTextual() || c == null || !c.isTextual()) {
                throw new BadDataException(where + ": \"prompt\" and \"completion\" must both be strings");
            }
            if (c.asText().isBlank()) {
                throw new BadDataException(where + ": \"completion\" is empty");
            }
            return List.of(ChatMessage.user(p.asText()), ChatMessage.assistant(c.asText()));
        }
        throw new BadDataException(where + ": expected \"messages\" or \"prompt\"/\"completion\"");
    }
}
