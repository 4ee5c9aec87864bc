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

    /** The block size O_DIRECT transfers of {@code file} align to; an IOException when a buffer of this class cannot serve it. */
    static int blockSize(java.nio.file.Path file) throws java.io.IOException {
        long size = java.nio.file.Files.getFileStore(file).getBlockSize();
        if (size < 512 || size > ALIGNMENT || Long.bitCount(size) != 1) throw new java.io.IOException("unusable block size " + size + " for " + file);
        return (int) size;
    }

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
