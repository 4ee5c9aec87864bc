package org.triagerouter.dicom.file;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a received file around the page cache (O_DIRECT) where the file system allows it, else through it.
 *
 * <p>Why: a received 10 MB image is written once, read once by prepare, then kept only for its retention. Written
 * through the page cache it costs a kernel copy into freshly allocated cache pages and grows the cache by the whole
 * spool, pushing out what PostgreSQL needs; on a VM whose memory the host backs lazily each new page also costs a
 * host fault (measured here: ~25 ms of system time per 10 MB once the cache outgrows the warm memory, against ~1.5 ms
 * direct). Direct I/O hands the disk whole aligned blocks: the bytes are gathered in an aligned buffer, the last block
 * is padded with zeros and the file truncated back to its length on close; the buffer is pooled. Durability still
 * needs the caller's fsync (the file's size and blocks are metadata). File systems without O_DIRECT (some network file
 * systems; tmpfs before Linux 6.6) get an ordinary buffered stream.
 */
public final class UncachedFileOutput extends OutputStream {
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final int block;
    private long length;
    private boolean closed;

    private UncachedFileOutput(FileChannel channel, int block) {
        this.channel = channel;
        this.block = block;
        this.buffer = AlignedBuffers.take();
    }

    /**
     * A stream that replaces {@code file}'s content: direct when the file system allows it, else buffered with
     * {@code fallbackBufferSize}.
     */
    public static OutputStream open(Path file, int fallbackBufferSize) throws IOException {
        return open(file, fallbackBufferSize, true);
    }

    /** {@code tryDirect} false: the fallback, as on a file system without O_DIRECT (for tests: tmpfs has it since Linux 6.6). */
    static OutputStream open(Path file, int fallbackBufferSize, boolean tryDirect) throws IOException {
        FileChannel direct = tryDirect ? openDirect(file) : null;
        if (direct == null) return new BufferedOutputStream(Files.newOutputStream(file), fallbackBufferSize);
        try {
            return new UncachedFileOutput(direct, AlignedBuffers.blockSize(file));
        } catch (IOException | RuntimeException e) {
            direct.close();
            throw e;
        }
    }

    /** True when files in {@code directory} can be written direct (for telling the operator at start). */
    public static boolean supported(Path directory) {
        Path probe = null;
        try {
            probe = Files.createTempFile(directory, "direct-", ".probe");
            FileChannel channel = openDirect(probe);
            if (channel == null) return false;
            channel.close();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a probe left behind is harmless
                }
            }
        }
    }

    private static FileChannel openDirect(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    ExtendedOpenOption.DIRECT);
        } catch (UnsupportedOperationException e) {
            return null;
        } catch (IOException e) {
            // EINVAL: this file system has no O_DIRECT. Anything else (no space, no permission) the buffered open reports too.
            return null;
        }
    }

    @Override
    public void write(int b) throws IOException {
        if (closed) throw new IOException("stream closed");
        if (!buffer.hasRemaining()) flushWholeBlocks();
        buffer.put((byte) b);
        length++;
    }

    @Override
    public void write(byte[] bytes, int offset, int count) throws IOException {
        if (closed) throw new IOException("stream closed");
        while (count > 0) {
            if (!buffer.hasRemaining()) flushWholeBlocks();
            int n = Math.min(count, buffer.remaining());
            buffer.put(bytes, offset, n);
            offset += n;
            count -= n;
            length += n;
        }
    }

    /** Writes the buffer (full, so a whole number of blocks). */
    private void flushWholeBlocks() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) channel.write(buffer);
        buffer.clear();
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try (channel) {
            if (buffer.position() > 0) {
                while (buffer.position() % block != 0) buffer.put((byte) 0);
                flushWholeBlocks();
            }
            channel.truncate(length);
        } finally {
            AlignedBuffers.give(buffer);
        }
    }
}
