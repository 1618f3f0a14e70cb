package dev.ragtune.rag.answer;

import java.util.List;

import dev.ragtune.common.records.ChatMessage;

/**
 * A prompt ready for generation.
 *
 * @param messages       the conversation as rendered through the chat template
 * @param text           the rendered prompt text
 * @param ids            its tokens
 * @param sources        the chunks that made it into the prompt, numbered as cited (a chunk may be truncated)
 * @param droppedSources how many retrieved chunks were left out to fit the context window
 * @param truncated      whether the last source's text was cut to fit
 * @param maxTokens      the completion budget: the requested one (it always fits next to the prompt)
 */
public record BuiltPrompt(List<ChatMessage> messages, String text, int[] ids, List<SourceChunk> sources,
                          int droppedSources, boolean truncated, int maxTokens) {
}
