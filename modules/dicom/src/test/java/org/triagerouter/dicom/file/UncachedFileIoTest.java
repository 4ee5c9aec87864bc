package org.triagerouter.dicom.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spool files written and read around the page cache: the bytes must be exactly the ones given, whatever their
 * length against the block size and the buffer, and the reader must start exactly at the asked position; the same for
 * the cached fallback a file system without O_DIRECT gets.
 */
class UncachedFileIoTest {
    private static final int[] LENGTHS = {0, 1, 511, 512, 4095, 4096, 4097, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 17};

    @TempDir Path folder;

    @Test
    void writesExactlyTheBytesGivenAtEveryLengthAgainstTheBlock() throws IOException {
        assumeTrue(UncachedFileOutput.supported(folder), "the build's temporary folder has no O_DIRECT");
        writeAndCompare(folder, true);
    }

    @Test
    void theCachedFallbackWritesAndReadsTheSameBytes() throws IOException {
        writeAndCompare(folder, false);
        readAndCompare(folder, false);
    }

    @Test
    void readsFromEveryPositionAgainstTheBlockAndTheBuffer() throws IOException {
        assumeTrue(UncachedFileOutput.supported(folder), "the build's temporary folder has no O_DIRECT");
        readAndCompare(folder, true);
    }

    @Test
    void aPositionPastTheEndIsAnError() throws IOException {
        Path file = folder.resolve("short");
        Files.write(file, new byte[100]);
        assertThrows(EOFException.class, () -> UncachedFileInput.open(file, 5000).close());
        assertThrows(EOFException.class, () -> UncachedFileInput.open(file, 5000, false).close());
        try (ReadableByteChannel atEnd = UncachedFileInput.open(file, 100)) {
            assertEquals(-1, atEnd.read(ByteBuffer.allocate(10)));
        }
    }

    @Test
    void buffersAreReusedNotLeftToTheGarbageCollector() throws IOException {
        assumeTrue(UncachedFileOutput.supported(folder), "the build's temporary folder has no O_DIRECT");
        Path file = folder.resolve("image.dcm");
        Files.write(file, random(5000, 11));
        // The pool hands out the buffer given back last: a stream's close must put back the one it took.
        ByteBuffer first = AlignedBuffers.take(), second = AlignedBuffers.take();
        AlignedBuffers.give(first);
        AlignedBuffers.give(second);
        try (OutputStream out = UncachedFileOutput.open(folder.resolve("rx.part"), 8192)) {
            out.write(1);
        }
        ByteBuffer again = AlignedBuffers.take();
        assertSame(second, again, "the output stream's buffer went back to the pool");
        assertEquals(0, again.position());
        assertTrue(again.capacity() >= AlignedBuffers.BYTES && again.capacity() % AlignedBuffers.ALIGNMENT == 0);
        AlignedBuffers.give(again);
        try (ReadableByteChannel in = UncachedFileInput.open(file, 0)) {
            in.read(ByteBuffer.allocate(10));
        }
        ByteBuffer[] back = {AlignedBuffers.take(), AlignedBuffers.take()};
        assertTrue(java.util.Set.of(back[0], back[1]).contains(second), "the input channel's buffers went back to the pool");
        for (ByteBuffer b : back) AlignedBuffers.give(b);
    }

    @Test
    void replacesWhatTheFileHeldBefore() throws IOException {
        Path file = folder.resolve("rx.part");
        Files.write(file, new byte[20_000]);
        byte[] data = random(700, 3);
        try (OutputStream out = UncachedFileOutput.open(file, 8192)) {
            out.write(data);
        }
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    private static void writeAndCompare(Path dir, boolean direct) throws IOException {
        for (int length : LENGTHS) {
            byte[] data = random(length, length);
            Path file = Files.createTempFile(dir, "rx-", ".part");
            try (OutputStream out = UncachedFileOutput.open(file, 8192, direct)) {
                if (direct) assertInstanceOf(UncachedFileOutput.class, out);
                else assertFalse(out instanceof UncachedFileOutput, "the fallback is the buffered stream");
                // Single bytes, a chunk that straddles the 1 MiB buffer, then the rest: every path through write.
                int p = 0;
                for (; p < Math.min(3, length); p++) out.write(data[p]);
                int chunk = Math.min(length - p, 1024 * 1024 + 5);
                out.write(data, p, chunk);
                p += chunk;
                out.write(data, p, length - p);
            }
            assertArrayEquals(data, Files.readAllBytes(file), "length " + length);
        }
    }

    private static void readAndCompare(Path dir, boolean direct) throws IOException {
        byte[] data = random(3 * 1024 * 1024 + 17, 7);
        Path file = dir.resolve("image.dcm");
        Files.write(file, data);
        for (long position : new long[] {0, 1, 132, 511, 512, 4095, 4096, 4097, UncachedFileInput.CHUNK_BYTES - 1, UncachedFileInput.CHUNK_BYTES + 3,
                1024 * 1024 - 1, 1024 * 1024 + 3, 2 * 1024 * 1024 + 65536, data.length - 1}) {
            ByteBuffer read = ByteBuffer.allocate(data.length);
            try (ReadableByteChannel in = UncachedFileInput.open(file, position, direct)) {
                assertEquals(direct, in instanceof UncachedFileInput);
                // Odd-sized reads, as StreamedPixelRows asks for what its row buffer has room for.
                ByteBuffer window = ByteBuffer.allocate(6151);
                int n;
                while ((n = in.read(window.clear())) >= 0) {
                    assertTrue(n > 0, "a read returned nothing before the end");
                    read.put(window.flip());
                }
            }
            assertArrayEquals(Arrays.copyOfRange(data, (int) position, data.length), Arrays.copyOf(read.array(), read.position()),
                    "from position " + position);
        }
    }

    private static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }
}
