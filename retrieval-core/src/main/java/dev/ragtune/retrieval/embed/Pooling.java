package dev.ragtune.retrieval.embed;

/** Mean pooling over the real tokens, then L2 normalisation (as sentence-transformers' Pooling + Normalize). */
final class Pooling {

    private Pooling() {
    }

    static float[] meanNormalised(float[][] tokens, long[] mask) {
        int hidden = tokens[0].length;
        float[] sum = new float[hidden];
        int n = 0;
        for (int t = 0; t < tokens.length; t++) {
            if (mask[t] == 0) {
                continue;
            }
            n++;
            float[] row = tokens[t];
            for (int h = 0; h < hidden; h++) {
                sum[h] += row[h];
            }
        }
        double norm = 0;
        for (int h = 0; h < hidden; h++) {
            sum[h] /= Math.max(n, 1);
            norm += (double) sum[h] * sum[h];
        }
        float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
        for (int h = 0; h < hidden; h++) {
            sum[h] *= inv;
        }
        return sum;
    }
}
