package dev.ragtune.model.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtune.common.records.ChatMessage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training mask of a real template: the sequence's ids are Hugging Face's tokenization of the whole rendered
 * conversation, and the trained tokens are exactly, turn by turn, each assistant content followed by the family's
 * end-of-turn token. The content as the template prints it is written out here from the templates themselves: Llama 3.2
 * and Gemma 3 {@code | trim} it, Qwen3 prints the last turn {@code lstrip('\n')}-ed after an empty think block. (A
 * content's leading whitespace may belong to the header's last token: Phi-3's {@code <|assistant|>} strips the
 * whitespace after it, a BPE may merge a whitespace run across the boundary.)
 */
final class MaskCheck {
    static final List<List<ChatMessage>> TRAINING_CONVERSATIONS = List.of(
            List.of(ChatMessage.user("What is 2+2?"), ChatMessage.assistant("4")),
            List.of(ChatMessage.system("Be brief."), ChatMessage.user("Who wrote Hamlet?"),
                    ChatMessage.assistant("Shakespeare."), ChatMessage.user("When?"), ChatMessage.assistant("Around 1600.")),
            List.of(ChatMessage.user("東京タワーの高さは？"), ChatMessage.assistant("333メートルです。"),
                    ChatMessage.user("Яка столиця України?"), ChatMessage.assistant("Київ 🚀")),
            List.of(ChatMessage.user("  spaced  "), ChatMessage.assistant("  padded answer \n"), ChatMessage.user("ok"),
                    ChatMessage.assistant("\nlast line")));

    private MaskCheck() {
    }

    static void assertMasks(String family, Path dir) {
        try (ModelTokenizer tokenizer = ModelTokenizer.load(dir, List.of())) {
            String source = tokenizer.template().source();
            String eot = List.of("<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>").stream().filter(source::contains)
                    .findFirst().orElseThrow();
            boolean trims = source.contains("| trim") || source.contains("|trim");
            boolean lastLstripped = source.contains("content.lstrip('\\n')");
            for (List<ChatMessage> conversation : TRAINING_CONVERSATIONS) {
                String rendered = tokenizer.template().render(conversation, false);
                TrainingSequence seq = tokenizer.encodeForTraining(conversation);
                assertThat(seq.ids()).as("%s: ids of %s", family, conversation).isEqualTo(tokenizer.encode(rendered));
                assertThat(tokenizer.countTrainingTokens(conversation)).isEqualTo(seq.length());
                List<int[]> runs = new ArrayList<>();
                for (int k = 0; k < seq.length(); k++) {
                    if (seq.trainable()[k]) {
                        int start = k;
                        while (k < seq.length() && seq.trainable()[k]) {
                            k++;
                        }
                        runs.add(Arrays.copyOfRange(seq.ids(), start, k));
                    }
                }
                List<String> answers = conversation.stream().filter(m -> m.role().equals("assistant")).map(ChatMessage::content).toList();
                assertThat(runs).as("%s: trained runs of %s", family, conversation).hasSize(answers.size());
                for (int a = 0; a < answers.size(); a++) {
                    String content = answers.get(a);
                    boolean last = a == answers.size() - 1;
                    String shown = trims ? content.strip()
                            : lastLstripped && last ? content.replaceFirst("^\n+", "") : content;
                    String decoded = tokenizer.decodeWithSpecialTokens(runs.get(a));
                    String expected = shown + eot;
                    boolean exact = decoded.equals(expected)
                            || (decoded.endsWith(expected) && decoded.substring(0, decoded.length() - expected.length()).isBlank())
                            || decoded.stripLeading().equals(expected.stripLeading());
                    assertThat(exact).as("%s: turn %d of %s trains %s, expected %s", family, a, conversation,
                            HfReference.JSON.valueToTree(decoded), HfReference.JSON.valueToTree(expected)).isTrue();
                }
            }
        }
    }
}
