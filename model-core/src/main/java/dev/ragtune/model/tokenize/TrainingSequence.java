package dev.ragtune.model.tokenize;

/**
 * A tokenized conversation for training: {@code ids[t]} and whether the model is trained to
 * predict it ({@code trainable[t]}, true only for tokens of assistant turns, their end-of-turn
 * token included).
 */
public record TrainingSequence(int[] ids, boolean[] trainable) {
    public int length() {
        return ids.length;
    }

    public int trainableCount() {
        int n = 0;
        for (boolean b : trainable) {
            if (b) {
                n++;
            }
        }
        return n;
    }
}
