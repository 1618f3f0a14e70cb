package dev.ragtune.common.records;

import java.util.List;


/**
 * Counts the tokens a conversation takes when trained on (chat template applied). The worker plugs in
 * the model's tokenizer ({@code ModelTokenizer.encodeForTraining(messages).length()}); code without a
 * model can use {@link #NONE}.
 */
@FunctionalInterface
public interface TokenCounter {

    /** Does not count: every conversation passes the token check. */
    TokenCounter NONE = messages -> 0;

    int count(List<ChatMessage> messages);
}
