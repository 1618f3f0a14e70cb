package dev.ragtune.tuning.eval;

import dev.ragtune.common.records.ChatMessage;

import java.util.List;

/**
 * One conversation to evaluate on: the loss is taken over all its assistant tokens; the greedy
 * answer is generated for {@link #prompt()} (every message before the last) and compared with
 * {@link #reference()} (the last, assistant, message).
 */
public record EvalExample(String id, List<ChatMessage> conversation) {
    public EvalExample {
        conversation = List.copyOf(conversation);
        if (conversation.isEmpty() || !"assistant".equals(conversation.get(conversation.size() - 1).role())) {
            throw new IllegalArgumentException("evaluation example " + id + " must end with an assistant message");
        }
    }

    public List<ChatMessage> prompt() {
        return conversation.subList(0, conversation.size() - 1);
    }

    public String reference() {
        return conversation.get(conversation.size() - 1).content();
    }
}
