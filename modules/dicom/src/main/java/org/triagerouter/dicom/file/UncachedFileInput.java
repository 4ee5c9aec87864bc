package org.triagerouter.dicom.file;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Reads a file once from a given position, around the page cache (O_DIRECT) where the file system allows it, else
 * through it. For the prepare stage's single pass over a received image's pixels: cached, the read would grow the page
 * cache by the whole spool (see {@link UncachedFileOutput} for what that costs). Direct reads start at the block
 * holding the position and go 512 KB (a whole number of blocks) at a time; the bytes before the position are
 * dropped. Without the kernel's read-ahead, the next buffer is read in the background while the caller works on this one.
 */
public final class UncachedFileInput implements ReadableByteChannel {
    /**
     * Bytes per direct read (of a pooled 1 MiB buffer): the first read is not overlapped, so smaller is sooner, larger
     * amortises each read. 512 KB rendered fastest of 128 KB to 1 MiB in scripts/bench prepare.
     */
    static final int CHUNK_BYTES = 512 * 1024;
    private static final Executor READ_AHEAD = runnable -> Thread.ofVirtual().name("read-ahead").start(runnable);

    private final FileChannel channel;
    private final int block;
    private ByteBuffer buffer, spare;
    private long nextPosition;
    private boolean atEnd;
    private CompletableFuture<Boolean> ahead; // fills spare from nextPosition; true when that read reached the end

    private UncachedFileInput(FileChannel channel, int block, long position) throws IOException {
        this.channel = channel;
        this.block = block;
        this.buffer = AlignedBuffers.take();
        this.spare = AlignedBuffers.take();
        try {
            nextPosition = position - position % block;
            atEnd = readChunk(buffer, nextPosition);
            nextPosition += buffer.limit();
            buffer.position((int) (position % block)); // within the first read: open() checked the position against the size
            readAhead();
        } catch (IOException | RuntimeException e) {
            AlignedBuffers.give(buffer);
            AlignedBuffers.give(spare);
            throw e;
        }
    }

    /** {@code file} from {@code position} on: direct when the file system allows it, else an ordinary channel. */
    public static ReadableByteChannel open(Path file, long position) throws IOException {
        return open(file, position, true);
    }

    /** {@code tryDirect} false: the fallback, as on a file system without O_DIRECT. */
    static ReadableByteChannel open(Path file, long position, boolean tryDirect) throws IOException {
        if (position > Files.size(file)) throw new java.io.EOFException("position " + position + " is past the end of " + file);
        FileChannel direct = null;
        try {
            if (tryDirect) direct = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
        } catch (UnsupportedOperationException | IOException e) {
            direct = null; // no O_DIRECT on this file system (or no file: the plain open below says so)
        }
        if (direct != null) {
            try {
                return new UncachedFileInput(direct, AlignedBuffers.blockSize(file), position);
            } catch (IOException | RuntimeException e) {
                direct.close(); // direct reads refused after all: read through the cache
            }
        }
        FileChannel plain = FileChannel.open(file, StandardOpenOption.READ);
        try {
            plain.position(position);
            return plain;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * Fills {@code into} from the aligned {@code position} and flips it; true when the file ends within it. A read that
     * ends inside a block has reached the end: no further direct read may start at that unaligned position.
     */
    private boolean readChunk(ByteBuffer into, long position) throws IOException {
        into.clear().limit(CHUNK_BYTES);
        boolean end = false;
        while (!end && into.hasRemaining()) {
            int n = channel.read(into, position + into.position());
            end = n < 0 || into.position() % block != 0;
        }
        into.flip();
        return end;
    }

    private void readAhead() {
        if (atEnd) return;
        ByteBuffer into = spare;
        long position = nextPosition;
        ahead = CompletableFuture.supplyAsync(() -> {
            try {
                return readChunk(into, position);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, READ_AHEAD);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!buffer.hasRemaining()) {
            if (ahead == null) return -1;
            try {
                atEnd = ahead.join();
            } catch (java.util.concurrent.CompletionException e) {
                ahead = null;
                if (e.getCause() instanceof java.io.UncheckedIOException io) throw io.getCause();
                throw e;
            }
            ahead = null;
            ByteBuffer read = spare;
            spare = buffer;
            buffer = read;
            nextPosition += buffer.limit();
            readAhead();
            if (!buffer.hasRemaining()) return -1;
        }
        int n = Math.min(dst.remaining(), buffer.remaining());
        dst.put(buffer.slice(buffer.position(), n));
        buffer.position(buffer.position() + n);
        return n;
    }

    @Override
    public boolean isOpen() { return channel.isOpen(); }

    @Override
    public void close() throws IOException {
        try {
            if (ahead != null) ahead.handle((end, failure) -> null).join(); // never close the file under a read in flight
        } finally {
            ahead = null;
            channel.close();
            if (buffer != null) {
                AlignedBuffers.give(buffer);
                AlignedBuffers.give(spare);
                buffer = spare = null;
            }
        }
    }
}
