package dev.ragtune.model.generate;

/**
 * Lets a caller stop a generation from another thread (a client that disconnected, a timeout).
 * A step in progress is terminated inside ONNX Runtime; no further tokens are produced.
 */
public final class Cancellation {
    private volatile boolean cancelled;
    private volatile DecoderState state;

    public void cancel() {
        cancelled = true;
        DecoderState s = state;
        if (s != null) {
            s.cancel();
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    void attach(DecoderState s) {
        this.state = s;
        if (cancelled) {
            s.cancel();
        }
    }
}
