package dev.ragtune.rag.adapters;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import dev.ragtune.model.generate.OrtAdapter;

/**
 * One adapter version loaded into ONNX Runtime. Its lease count and closed state are guarded by
 * the {@link AdapterTable}'s lock; it is closed once no request holds it and no alias points at it, or evicted
 * (closed) to make room when no request holds it.
 */
public final class LoadedVersion {
    private final String adapter;
    private final int version;
    private final OrtAdapter ort;
    private final Instant loadedAt;
    private final long bytes;
    private final AtomicLong served = new AtomicLong();
    int leases;
    boolean closed;
    private long lastUsed = System.nanoTime();

    public LoadedVersion(String adapter, int version, OrtAdapter ort, Instant loadedAt) {
        this(adapter, version, ort, loadedAt, 0);
    }

    /** @param bytes what it takes in memory (the size of its {@code .onnx_adapter}), counted against the budget */
    public LoadedVersion(String adapter, int version, OrtAdapter ort, Instant loadedAt, long bytes) {
        this.adapter = adapter;
        this.version = version;
        this.ort = ort;
        this.loadedAt = loadedAt;
        this.bytes = bytes;
    }

    public long bytes() {
        return bytes;
    }

    /** {@link System#nanoTime()} of its last lease (guarded by the table's lock): the LRU order of eviction. */
    long lastUsed() {
        return lastUsed;
    }

    void touch() {
        lastUsed = System.nanoTime();
    }

    public String adapter() {
        return adapter;
    }

    public int version() {
        return version;
    }

    public String key() {
        return adapter + "@" + version;
    }

    /** The ONNX Runtime adapter; valid only while a lease on this version is held. */
    public OrtAdapter ort() {
        return ort;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    public long served() {
        return served.get();
    }

    void countServed() {
        served.incrementAndGet();
    }
}
