package org.triagerouter.app.command;

import org.triagerouter.app.config.RouterConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.triagerouter.dicom.file.Part10;
import org.triagerouter.dicom.file.Part10Meta;
import org.triagerouter.dicom.file.DataSetReencoder;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.TransferSyntaxPreference;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.PresentationContext;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.RemoteAe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "send", footer = {"", "Example:", "  triage-router send --priority HIGH TRIAGE@127.0.0.1:11112 images/"}, description = "C-STORE DICOM files and folders to AE@HOST:PORT, with a progress bar and a summary per status. Each file is "
        + "proposed in its own transfer syntax and in Explicit and Implicit VR Little Endian; one the peer takes only uncompressed is "
        + "re-encoded (decompressed) on the way.")
public final class SendCommand implements Callable<Integer> {
    /** PS3.8 allows at most 128 presentation contexts per association. */
    private static final int MAX_CONTEXTS = 128;

    @Parameters(index = "0", paramLabel = "AE@HOST:PORT")
    String target;

    @Parameters(index = "1..*", paramLabel = "PATH", arity = "1..*", description = "files, or folders searched recursively")
    List<Path> paths;

    @Option(names = "--priority", description = "DIMSE priority: LOW, MEDIUM or HIGH (default ${DEFAULT-VALUE})")
    Priority priority = Priority.MEDIUM;

    @picocli.CommandLine.Mixin
    ScuOptions scu;

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    @Override
    public Integer call() {
        RemoteAe remote;
        try {
            remote = RemoteAe.parse(target);
        } catch (IllegalArgumentException e) {
            err.println("triage-router send: " + e.getMessage());
            return 2;
        }
        ClientSettings client;
        try {
            client = scu.clientSettings();
        } catch (RouterConfig.ConfigException e) {
            err.println("triage-router send: " + e.getMessage());
            return 2;
        }
        List<Path> files = new ArrayList<>();
        Map<String, Integer> summary = new TreeMap<>();
        List<Part10Meta> metas = new ArrayList<>();
        List<Path> sendable = new ArrayList<>();
        try {
            for (Path p : paths) files.addAll(expand(p));
        } catch (IOException e) {
            err.println("triage-router send: " + e.getMessage());
            return 2;
        }
        for (Path f : files) {
            try {
                metas.add(Part10.readMeta(f));
                sendable.add(f);
            } catch (IOException e) {
                err.println("skipped " + f + ": " + e.getMessage());
                summary.merge("Skipped (not a DICOM Part 10 file)", 1, Integer::sum);
            }
        }
        long totalBytes = 0;
        for (Path f : sendable) totalBytes += f.toFile().length();
        Progress progress = new Progress(err, sendable.size(), totalBytes);
        long start = System.nanoTime();
        int index = 0;
        boolean failed = false;
        try {
            while (index < sendable.size()) {
                int end = batchEnd(metas, index, client.transferSyntax());
                try (ClientAssociation association = ClientAssociation.open(client, remote,
                        ClientAssociation.contextsFor(metas.subList(index, end), client.transferSyntax()))) {
                    for (int i = index; i < end; i++) {
                        String outcome;
                        try {
                            DimseStatus status = association.store(sendable.get(i), priority);
                            outcome = String.format("%s 0x%04X", status.category(), status.code());
                            if (status.isFailure()) {
                                failed = true;
                                err.printf("%n%s: %s%n", sendable.get(i), status);
                            }
                        } catch (ClientAssociation.NoPresentationContextException e) {
                            failed = true;
                            outcome = "Failure (no presentation context)";
                            err.printf("%n%s: %s%n", sendable.get(i), e.getMessage());
                        } catch (DataSetReencoder.ReencodingFailedException e) {
                            failed = true;
                            outcome = "Failure (cannot re-encode)";
                            err.printf("%n%s: %s%n", sendable.get(i), e.getMessage());
                        }
                        summary.merge(outcome, 1, Integer::sum);
                        progress.advance(sendable.get(i).toFile().length());
                    }
                    association.release();
                }
                index = end;
            }
        } catch (IOException e) {
            err.printf("%ntriage-router send: %s: %s%n", remote, e.getMessage());
            summary.merge("Not sent (association failed)", sendable.size() - progress.done, Integer::sum);
            failed = true;
        }
        progress.finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("Sent %d file(s), %.1f MB in %.1f s (%.1f MB/s) to %s%n", progress.done, progress.bytes / 1e6, seconds,
                seconds > 0 ? progress.bytes / 1e6 / seconds : 0, remote);
        summary.forEach((status, count) -> out.printf("  %-40s %d%n", status, count));
        return failed || summary.keySet().stream().anyMatch(s -> s.startsWith("Skipped")) ? 1 : 0;
    }

    /** Files of one association: as many as fit in 128 presentation contexts (each file's own syntax, Explicit and Implicit VR LE). */
    private static int batchEnd(List<Part10Meta> metas, int start, TransferSyntaxPreference preference) {
        java.util.Set<String> contexts = new java.util.HashSet<>();
        int i = start;
        while (i < metas.size()) {
            contexts.addAll(ClientAssociation.contextPairs(List.of(metas.get(i)), preference));
            if (contexts.size() > MAX_CONTEXTS) break;
            i++;
        }
        return i;
    }

    private static List<Path> expand(Path path) throws IOException {
        if (!Files.exists(path)) throw new IOException(path + " does not exist");
        if (!Files.isDirectory(path)) return List.of(path);
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** A one-line progress bar on stderr, redrawn in place. */
    private static final class Progress {
        private final PrintStream err;
        private final int total;
        private final long totalBytes;
        int done;
        long bytes;

        Progress(PrintStream err, int total, long totalBytes) {
            this.err = err;
            this.total = total;
            this.totalBytes = totalBytes;
            draw();
        }

        void advance(long fileBytes) {
            done++;
            bytes += fileBytes;
            draw();
        }

        private void draw() {
            int width = 30;
            int filled = total == 0 ? width : (int) ((long) width * done / total);
            err.printf("\r[%s%s] %d/%d files, %.1f/%.1f MB", "#".repeat(filled), " ".repeat(width - filled), done, total,
                    bytes / 1e6, totalBytes / 1e6);
        }

        void finish() { err.println(); }
    }
}
