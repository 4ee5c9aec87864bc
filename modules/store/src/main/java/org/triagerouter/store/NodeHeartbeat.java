package org.triagerouter.store;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's claim on its node name, and the heartbeat that keeps the claim: the {@code node} row
 * names the process that holds the name (a random id per start, its host and pid), and only that process
 * renews it. A second process with the same name is refused while the holder beats; it may take the name
 * once the holder released it (a clean stop) or its heartbeat is older than {@link #STALE_AFTER}. Every
 * node's dashboard lists the rows to show the cluster and spot a silent node.
 */
public final class NodeHeartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);
    /** How often the row is touched. */
    public static final Duration INTERVAL = Duration.ofSeconds(5);
    /** Three missed beats: the holder stopped, froze or lost the database, and its name may be taken. */
    public static final Duration STALE_AFTER = INTERVAL.multipliedBy(3);

    public record NodeInfo(String name, String version, String aeTitle, int dicomPort, int httpPort, String model, String provider) {}

    /** The process that holds a node name, as its row says. */
    public record Holder(String processId, String host, Long pid, String pidNamespace, OffsetDateTime heartbeatAt, Duration heartbeatAge) {}

    /** The name is held by another process that is still beating. */
    public static final class NameInUseException extends Exception {
        private final Holder holder;

        NameInUseException(String name, Holder holder) {
            super("node name '" + name + "' is in use by a live router (host " + holder.host() + ", pid " + holder.pid()
                    + ", heartbeat " + Math.max(0, Math.round(holder.heartbeatAge().toMillis() / 1000.0)) + " s ago)");
            this.holder = holder;
        }

        public Holder holder() { return holder; }
    }

    /** The claims this process holds: a holder with our pid is one of them, or a previous process that had our pid. */
    private static final Set<String> claimedHere = ConcurrentHashMap.newKeySet();

    private final Database database;
    private final Duration interval;
    private final Duration staleAfter;
    private final String processId = UUID.randomUUID().toString();
    private final String host = localHost();
    private final long pid = ProcessHandle.current().pid();
    private final String pidNamespace = pidNamespace();
    private final Instant startedAt = Instant.now();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("node-heartbeat").daemon(true).factory());
    private volatile NodeInfo info;
    /** False once another process took the name: this one then stops beating for it. */
    private volatile boolean owned = true;
    /** When the statement that last confirmed our claim was sent (System.nanoTime): no later than the heartbeat_at it wrote. */
    private volatile long confirmedAt;

    private NodeHeartbeat(Database database, NodeInfo info, Duration interval, Duration staleAfter) {
        this.database = database;
        this.info = info;
        this.interval = interval;
        this.staleAfter = staleAfter;
    }

    /**
     * Claims {@code info.name()} for this process and starts beating. When another process holds the name
     * with a fresh heartbeat, waits to see it beat again: if it does, the name is in use; if it does not
     * (it crashed a moment ago), the name is taken once the heartbeat is stale. So a router restarted after
     * a crash waits at most {@link #STALE_AFTER} (not at all when the holder's pid is dead on this host), and
     * a duplicate is refused within about one {@link #INTERVAL}.
     */
    public static NodeHeartbeat claim(Database database, NodeInfo info) throws SQLException, NameInUseException, InterruptedException {
        return claim(database, info, INTERVAL, STALE_AFTER);
    }

    static NodeHeartbeat claim(Database database, NodeInfo info, Duration interval, Duration staleAfter)
            throws SQLException, NameInUseException, InterruptedException {
        NodeHeartbeat heartbeat = new NodeHeartbeat(database, info, interval, staleAfter);
        claimedHere.add(heartbeat.processId); // before its row can exist, so no claim of this process is taken for a dead one
        try {
            heartbeat.awaitClaim();
        } catch (SQLException | NameInUseException | InterruptedException | RuntimeException e) {
            claimedHere.remove(heartbeat.processId);
            heartbeat.timer.shutdownNow();
            throw e;
        }
        heartbeat.timer.scheduleWithFixedDelay(heartbeat::beatQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return heartbeat;
    }

    private void awaitClaim() throws SQLException, NameInUseException, InterruptedException {
        long giveUpAt = System.nanoTime() + staleAfter.plus(interval.multipliedBy(2)).toNanos();
        Holder seen = null;
        while (!tryClaim(null)) {
            Holder holder = holder();
            if (holder == null) continue; // released or deleted between the two statements: try again
            if (isDeadHere(holder)) {
                if (tryClaim(holder.processId())) {
                    log.info("node name '{}' was held by pid {} on this host, which is gone: taken over", info.name(), holder.pid());
                    return;
                }
                continue; // another process took it first: look again
            }
            if (seen != null && (!holder.processId().equals(seen.processId()) || holder.heartbeatAt().isAfter(seen.heartbeatAt()))) {
                throw new NameInUseException(info.name(), holder); // it beat (or another process took it): alive
            }
            if (seen == null) {
                log.info("node name '{}' is held by host {} pid {} (heartbeat {} ms ago): waiting to see whether it still beats",
                        info.name(), holder.host(), holder.pid(), holder.heartbeatAge().toMillis());
                seen = holder;
            }
            if (System.nanoTime() > giveUpAt) throw new NameInUseException(info.name(), holder); // neither beating nor stale: refuse
            Thread.sleep(Math.max(10, Math.min(500, interval.toMillis() / 4)));
        }
    }

    private volatile Runnable onNameLost = () -> {};

    /** What to do when another process took this node's name over (this one was frozen or cut off past the staleness bound). */
    public void onNameLost(Runnable action) { this.onNameLost = action; }

    private volatile java.util.function.LongSupplier spoolFree = () -> -1;
    private volatile long spoolFloor = -1;

    /** The spool's free space (measured at each beat) and its floor, for every node's dashboard. */
    public void reportSpool(java.util.function.LongSupplier freeBytes, long floorBytes) {
        this.spoolFree = freeBytes;
        this.spoolFloor = floorBytes;
    }

    /** What the row shows about this node, now that more is known (ports bound, model open); written at once. */
    public void update(NodeInfo info) {
        if (!info.name().equals(this.info.name())) throw new IllegalArgumentException("a heartbeat keeps one node name");
        this.info = info;
        if (!owned) return;
        try {
            timer.execute(this::beatQuietly);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // Closed, or the name was lost meanwhile: nothing to write.
        }
    }

    /**
     * Whether this process still holds its node name: false once another process took it over, and while
     * our last confirmed heartbeat is older than the staleness bound (another process may take it then).
     */
    public boolean ownsName() {
        return owned && System.nanoTime() - confirmedAt < staleAfter.toNanos();
    }

    public String processId() { return processId; }

    /**
     * One statement, so two processes starting at once cannot both win: the name is taken when free, stale,
     * released or ours, or still held by {@code deadHolder} (a process id known to be dead).
     */
    private boolean tryClaim(String deadHolder) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement claim = c.prepareStatement("""
                     insert into node as n (name, started_at, heartbeat_at, version, ae_title, dicom_port, http_port, model, provider,
                                            process_id, host, pid, pid_namespace)
                     values (?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     on conflict (name) do update set started_at = excluded.started_at, heartbeat_at = now(), version = excluded.version,
                         ae_title = excluded.ae_title, dicom_port = excluded.dicom_port, http_port = excluded.http_port,
                         model = excluded.model, provider = excluded.provider,
                         process_id = excluded.process_id, host = excluded.host, pid = excluded.pid, pid_namespace = excluded.pid_namespace,
                         lost_at = null
                      where n.process_id is null or n.process_id = excluded.process_id or n.process_id = ?
                         or n.heartbeat_at < now() - ? * interval '1 millisecond'""")) {
            NodeInfo i = info;
            claim.setString(1, i.name());
            claim.setObject(2, OffsetDateTime.ofInstant(startedAt, ZoneOffset.UTC));
            claim.setString(3, i.version());
            claim.setString(4, i.aeTitle());
            claim.setInt(5, i.dicomPort());
            claim.setInt(6, i.httpPort());
            claim.setString(7, i.model());
            claim.setString(8, i.provider());
            claim.setString(9, processId);
            claim.setString(10, host);
            claim.setLong(11, pid);
            claim.setString(12, pidNamespace);
            claim.setString(13, deadHolder);
            claim.setLong(14, staleAfter.toMillis());
            long sentAt = System.nanoTime();
            boolean won = claim.executeUpdate() == 1;
            if (won) confirmedAt = sentAt;
            return won;
        }
    }

    /** Who holds the name now; null when nobody does. */
    private Holder holder() throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement select = c.prepareStatement("""
                     select process_id, host, pid, pid_namespace, heartbeat_at, extract(epoch from now() - heartbeat_at) * 1000
                       from node where name = ? and process_id is not null""")) {
            select.setString(1, info.name());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) return null;
                return new Holder(rs.getString(1), rs.getString(2), rs.getObject(3, Long.class), rs.getString(4),
                        rs.getObject(5, OffsetDateTime.class), Duration.ofMillis(Math.round(rs.getDouble(6))));
            }
        }
    }

    void beat() throws SQLException {
        if (!owned) return;
        try (Connection c = database.connection();
             PreparedStatement update = c.prepareStatement("""
                     update node set heartbeat_at = now(), lost_at = null, version = ?, ae_title = ?, dicom_port = ?, http_port = ?, model = ?, provider = ?,
                            spool_free_bytes = ?, spool_floor_bytes = ?
                      where name = ? and process_id = ?""")) {
            NodeInfo i = info;
            update.setString(1, i.version());
            update.setString(2, i.aeTitle());
            update.setInt(3, i.dicomPort());
            update.setInt(4, i.httpPort());
            update.setString(5, i.model());
            update.setString(6, i.provider());
            long free = spoolFree.getAsLong();
            if (free < 0) update.setNull(7, java.sql.Types.BIGINT);
            else update.setLong(7, free);
            if (spoolFloor < 0) update.setNull(8, java.sql.Types.BIGINT);
            else update.setLong(8, spoolFloor);
            update.setString(9, i.name());
            update.setString(10, processId);
            long sentAt = System.nanoTime();
            if (update.executeUpdate() == 1) {
                confirmedAt = sentAt;
                return;
            }
        }
        Holder holder = holder();
        if (holder == null && tryClaim(null)) return; // the row was deleted or released by hand: the name is free, so it is still ours
        owned = false;
        claimedHere.remove(processId);
        log.error("node name '{}' was taken over by {} while this router did not beat (frozen or cut off for longer than {} s): "
                        + "this router no longer beats for it; stop it, or give it a unique node.name",
                info.name(), holder == null ? "another router" : "host " + holder.host() + " pid " + holder.pid(), staleAfter.toSeconds());
        timer.shutdown();
        onNameLost.run();
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (SQLException | RuntimeException e) {
            log.debug("heartbeat not written: {}", e.getMessage()); // readiness reports the database; no log flood here
        }
    }

    /** Stops beating without releasing the name: what a frozen process looks like to the others (for tests). */
    void stopBeating() { timer.shutdownNow(); }

    /** Stops beating and releases the name (when still ours), so the next process with it starts at once. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        claimedHere.remove(processId);
        if (!owned) return;
        try (Connection c = database.connection();
             PreparedStatement release = c.prepareStatement("update node set process_id = null where name = ? and process_id = ?")) {
            release.setString(1, info.name());
            release.setString(2, processId);
            release.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            log.debug("node name not released (it goes stale instead): {}", e.getMessage());
        }
    }

    /**
     * Whether the holder ran in this PID namespace of this boot and its process is gone (or its pid is ours:
     * a restarted container's pid 1). Elsewhere a pid says nothing, and only the heartbeat can tell.
     */
    private boolean isDeadHere(Holder holder) {
        if (pidNamespace == null || !pidNamespace.equals(holder.pidNamespace()) || holder.pid() == null) return false;
        if (holder.pid() == pid) return !claimedHere.contains(holder.processId());
        return ProcessHandle.of(holder.pid()).map(p -> !p.isAlive()).orElse(true);
    }

    /** This kernel boot and PID namespace (Linux): where a pid names one process; null where that cannot be told. */
    private static String pidNamespace() {
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
            return boot + " " + Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
