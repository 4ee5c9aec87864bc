package org.triagerouter.app.bench.soak;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.fixture.RepeatableImage;
import org.triagerouter.dicom.fixture.SyntheticChestImages;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.PresentationContext;
import org.triagerouter.dicom.net.Priority;
import org.triagerouter.dicom.net.RemoteAe;

/**
 * Sends new studies to the router at a steady rate, each in its own association: study k is due at
 * start + k / rate, whatever happened to the ones before it (a pool of sender threads, so a slow answer
 * delays no other study). Each study is one or two frontal chest images drawn once and sent under fresh
 * Study, Series and SOP Instance UIDs. Records what failed and, from the destination's folder, when each
 * study's SR arrived.
 */
final class StudySender implements AutoCloseable {
    private static final int POOL_PER_MODALITY = 4;

    /** A study sent: its UID, its images, when it was due and sent, and the SR file expected at the destination. */
    record SentStudy(long index, String uid, int images, long dueNanos, long startNanos, long endMillis, Path expectedSr) {}

    private final RemoteAe router;
    private final ClientSettings settings;
    private final double rate;
    private final Path pacs;
    private final String modelId, modelVersion;
    private final Map<String, List<RepeatableImage>> pool = new TreeMap<>();
    private final ExecutorService senders;
    private final Thread clock;
    private final long startNanos = System.nanoTime();
    private volatile boolean stopping;

    private final AtomicLong due = new AtomicLong();
    private final AtomicInteger failed = new AtomicInteger();
    private final ConcurrentLinkedQueue<SentStudy> sent = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<String, Long> deliveredAtMillis = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    /** (start, images) of every study begun, finished or not: what may be in the router at a given time. */
    private final ConcurrentLinkedQueue<long[]> begun = new ConcurrentLinkedQueue<>();
    private final AtomicLong maxLateNanos = new AtomicLong();
    private final AtomicInteger lateOverOneSecond = new AtomicInteger();

    StudySender(RemoteAe router, double rate, int rows, int columns, int threads, Path pacs, String modelId, String modelVersion) {
        this.router = router;
        this.settings = ClientSettings.defaults("SOAK");
        this.rate = rate;
        this.pacs = pacs;
        this.modelId = modelId;
        this.modelVersion = modelVersion;
        for (String modality : List.of("DX", "CR")) {
            List<RepeatableImage> images = new ArrayList<>();
            for (int k = 0; k < POOL_PER_MODALITY; k++) {
                // Frontal views only (all eligible), MONOCHROME1 for CR as in the demo's set; the seed varies the opacity, so scores vary.
                images.add(RepeatableImage.of(SyntheticChestImages.Spec.chest(modality, k % 2 == 0 ? "PA" : "AP", "CR".equals(modality),
                        rows, columns, 9000 + 10L * k + ("CR".equals(modality) ? 1 : 0))));
            }
            pool.put(modality, images);
        }
        this.senders = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "soak-sender");
            t.setDaemon(true);
            return t;
        });
        this.clock = new Thread(this::keepTime, "soak-clock");
        this.clock.setDaemon(true);
    }

    void start() { clock.start(); }

    long startNanos() { return startNanos; }

    /** Stops scheduling new studies and waits for those under way. */
    void stop() throws InterruptedException {
        stopping = true;
        clock.interrupt();
        clock.join();
        senders.shutdown();
        if (!senders.awaitTermination(5, TimeUnit.MINUTES)) throw new IllegalStateException("senders still busy after 5 minutes");
    }

    private void keepTime() {
        long index = 0;
        while (!stopping) {
            long dueAt = startNanos + (long) (index * 1e9 / rate);
            long wait = dueAt - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (stopping) return;
            long k = index++;
            due.incrementAndGet();
            senders.execute(() -> send(k, dueAt));
        }
    }

    private void send(long index, long dueNanos) {
        long start = System.nanoTime();
        long late = start - dueNanos;
        maxLateNanos.accumulateAndGet(late, Math::max);
        if (late > 1_000_000_000L) lateOverOneSecond.incrementAndGet();
        String modality = (index / 2) % 2 == 0 ? "DX" : "CR";
        int count = 1 + (int) (index % 2);
        List<RepeatableImage> images = pool.get(modality);
        String study = Uids.newUid(), series = Uids.newUid();
        begun.add(new long[] {start, count});
        RepeatableImage first = images.get((int) (index % POOL_PER_MODALITY));
        try (ClientAssociation association = ClientAssociation.open(settings, router,
                List.of(PresentationContext.proposed(1, first.sopClassUid(), List.of(first.transferSyntaxUid()))))) {
            for (int i = 0; i < count; i++) {
                RepeatableImage image = images.get((int) ((index + i) % POOL_PER_MODALITY));
                String sop = Uids.newUid();
                byte[] dataSet = image.dataSet(study, series, sop);
                DimseStatus status = association.store(image.sopClassUid(), sop, image.transferSyntaxUid(),
                        new ByteArrayInputStream(dataSet), dataSet.length, Priority.MEDIUM);
                if (!status.isSuccess()) throw new IOException("C-STORE answered " + status);
            }
            association.release();
        } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
            if (failures.size() < 20) failures.add(String.format("study %d at %.1f s: %s", index, (start - startNanos) / 1e9, e.getMessage()));
            return;
        }
        // The SR's UID is derived from (study, model, version, revision): its name at storescp is known in advance.
        String sr = Uids.fromName("triage-sr|" + study + "|" + modelId + "|" + modelVersion + "|1");
        sent.add(new SentStudy(index, study, count, dueNanos, start, System.currentTimeMillis(), pacs.resolve("SRc." + sr)));
    }

    /** Looks for the SRs not yet seen; returns how many sent studies have theirs. */
    int checkDeliveries() {
        for (SentStudy s : sent) {
            if (deliveredAtMillis.containsKey(s.uid())) continue;
            try {
                FileTime arrived = Files.getLastModifiedTime(s.expectedSr());
                deliveredAtMillis.put(s.uid(), arrived.toMillis());
            } catch (IOException e) {
                // not there yet
            }
        }
        return deliveredAtMillis.size();
    }

    int dueCount() { return (int) due.get(); }

    int sentCount() { return sent.size(); }

    int failedCount() { return failed.get(); }

    List<String> failures() { return List.copyOf(failures); }

    List<SentStudy> sentStudies() { return List.copyOf(sent); }

    /** Seconds from each delivered study's last C-STORE (and release) to its SR's arrival, sorted. */
    double[] deliverySeconds() {
        return sent.stream().filter(s -> deliveredAtMillis.containsKey(s.uid()))
                .mapToDouble(s -> Math.max(0, deliveredAtMillis.get(s.uid()) - s.endMillis()) / 1000.0).sorted().toArray();
    }

    /** Images of the studies begun within {@code window} before {@code atNanos} (sent, being sent or failed). */
    int imagesSentWithin(long atNanos, Duration window) {
        long from = atNanos - window.toNanos();
        return (int) begun.stream().filter(b -> b[0] > from && b[0] <= atNanos).mapToLong(b -> b[1]).sum();
    }

    double maxLateSeconds() { return maxLateNanos.get() / 1e9; }

    int lateOverOneSecond() { return lateOverOneSecond.get(); }

    @Override
    public void close() { senders.shutdownNow(); }
}
