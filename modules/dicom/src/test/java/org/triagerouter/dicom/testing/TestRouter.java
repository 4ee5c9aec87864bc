package org.triagerouter.dicom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.DicomServer;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.ReceivedInstance;
import org.triagerouter.dicom.net.SenderProfile;
import org.triagerouter.dicom.net.ServerSettings;
import org.triagerouter.dicom.net.StoreHandler;
import org.triagerouter.dicom.net.TlsSettings;

/**
 * The store SCP on an ephemeral port, keeping every instance it accepts under {@code stored/} by
 * SOP Instance UID and recording what it was handed. A status function lets a test answer what it wants.
 */
public final class TestRouter implements AutoCloseable {
    public static final String AE_TITLE = "TRIAGE";

    public final Path directory;
    public final Path stored;
    public final List<ReceivedInstance> received = new CopyOnWriteArrayList<>();
    public final List<Boolean> closedAssociations = new CopyOnWriteArrayList<>();
    private final DicomServer server;

    public static Builder builder(Path directory) { return new Builder(directory); }

    public static final class Builder {
        private final Path directory;
        private Set<String> allowedCallingAes = Set.of();
        private List<String> transferSyntaxes = Uids.DECODABLE_TRANSFER_SYNTAXES;
        private int maxPduLength = ServerSettings.DEFAULT_MAX_PDU_LENGTH;
        private int maxAssociations = 8;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration artimTimeout = Duration.ofSeconds(10);
        private TlsSettings tls;
        private Function<ReceivedInstance, DimseStatus> status = i -> DimseStatus.SUCCESS;
        private List<SenderProfile> senders = List.of();
        private Set<String> extraStorageSopClasses = Set.of();

        Builder(Path directory) { this.directory = directory; }

        public Builder allowedCallingAes(String... aes) { allowedCallingAes = Set.of(aes); return this; }
        public Builder transferSyntaxes(List<String> syntaxes) { transferSyntaxes = syntaxes; return this; }
        public Builder maxPduLength(int length) { maxPduLength = length; return this; }
        public Builder maxAssociations(int n) { maxAssociations = n; return this; }
        public Builder idleTimeout(Duration d) { idleTimeout = d; return this; }
        public Builder artimTimeout(Duration d) { artimTimeout = d; return this; }
        public Builder tls(TlsSettings t) { tls = t; return this; }
        public Builder status(Function<ReceivedInstance, DimseStatus> f) { status = f; return this; }
        public Builder senders(SenderProfile... profiles) { senders = List.of(profiles); return this; }
        public Builder extraStorageSopClasses(String... uids) { extraStorageSopClasses = Set.of(uids); return this; }

        public TestRouter start() throws IOException {
            ServerSettings settings = new ServerSettings(AE_TITLE, "127.0.0.1", 0, allowedCallingAes, transferSyntaxes,
                    maxPduLength, maxAssociations, artimTimeout, idleTimeout, directory.resolve("incoming"), tls, senders,
                    extraStorageSopClasses);
            return new TestRouter(directory, settings, status);
        }
    }

    private TestRouter(Path directory, ServerSettings settings, Function<ReceivedInstance, DimseStatus> status) throws IOException {
        this.directory = directory;
        this.stored = Files.createDirectories(directory.resolve("stored"));
        StoreHandler handler = new StoreHandler() {
            @Override
            public DimseStatus onStore(ReceivedInstance instance) {
                received.add(instance);
                DimseStatus answer = status.apply(instance);
                if (!answer.isFailure()) {
                    try {
                        Files.move(instance.file(), stored.resolve(instance.sopInstanceUid() + ".dcm"), StandardCopyOption.REPLACE_EXISTING);
                    } catch (IOException e) {
                        return DimseStatus.of(DimseStatus.OUT_OF_RESOURCES, e.getMessage());
                    }
                }
                return answer;
            }

            @Override
            public void onAssociationClosed(org.triagerouter.dicom.net.AssociationInfo association, boolean released, int instances) {
                closedAssociations.add(released);
            }
        };
        this.server = new DicomServer(settings, handler);
        server.start();
    }

    public int port() { return server.port(); }

    public Path storedFile(String sopInstanceUid) { return stored.resolve(sopInstanceUid + ".dcm"); }

    /** Files left in the incoming directory: partial transfers that were not cleaned up. */
    public long leftoverIncomingFiles() throws IOException {
        try (var files = Files.list(directory.resolve("incoming"))) {
            return files.count();
        }
    }

    @Override
    public void close() { server.close(); }
}
