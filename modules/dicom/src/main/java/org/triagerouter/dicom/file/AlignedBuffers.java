package org.triagerouter.dicom.file;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers for O_DIRECT transfers, kept for reuse: one per received file and two per prepared image would
 * otherwise be native memory that only a garbage collection gives back, so a busy node's RSS would follow its
 * allocation rate rather than its concurrency. Aligned to 64 KiB, which serves every block size the O_DIRECT
 * classes accept.
 */
final class AlignedBuffers {
    static final int BYTES = 1024 * 1024;
    static final int ALIGNMENT = 64 * 1024;
    private static final int MAX_IDLE = 8;

    private static final ConcurrentLinkedDeque<ByteBuffer> idle = new ConcurrentLinkedDeque<>(); // last in, first out: the warmest
    private static final AtomicInteger idleCount = new AtomicInteger();

    private AlignedBuffers() {}

    /** A cleared buffer of {@link #BYTES}, its start and end aligned to {@link #ALIGNMENT}. */
    static ByteBuffer take() {
        ByteBuffer buffer = idle.poll();
        if (buffer == null) return ByteBuffer.allocateDirect(BYTES + ALIGNMENT).alignedSlice(ALIGNMENT);
        idleCount.decrementAndGet();
        return buffer.clear();
    }

    /** Gives a buffer from {@link #take()} back; beyond a few idle ones it is left to the garbage collector. */
    static void give(ByteBuffer buffer) {
        if (buffer == null) return;
        if (idleCount.incrementAndGet() <= MAX_IDLE) {
            idle.push(buffer);
        } else {
            idleCount.decrementAndGet();
        }
    }
}
