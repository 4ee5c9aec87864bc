package org.triagerouter.ingest;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triagerouter.store.Database;
import org.triagerouter.store.Job;
import org.triagerouter.store.JobKind;
import org.triagerouter.store.Outcome;
import org.triagerouter.store.StageWorker;

/**
 * Deletes this node's spool files of studies whose every result was delivered (or shadowed) more than
 * {@code retention} ago, whatever else the study holds (an SR, a KOS, a dose report, our own SR sent back),
 * and never before: a study still waiting for a delivery, re-opened, or whose latest result FAILED keeps its
 * files, and so does an image whose prepare or infer failed or is under way (a retry needs it). A study with no image at
 * all (nothing to report) keeps them for the retention period after its last instance came. The rows stay, marked with
 * the time their file went; the study's folder goes with its last file. Deletes go in batches.
 */
public final class SpoolRetention implements StageWorker.Handler {
    private static final Logger log = LoggerFactory.getLogger(SpoolRetention.class);
    private static final int BATCH = 1000;

    private final Database database;
    private final IngestSettings settings;
    private final Duration retention;

    public SpoolRetention(Database database, IngestSettings settings, Duration retention) {
        this.database = database;
        this.settings = settings;
        this.retention = retention;
    }

    @Override
    public Outcome handle(Job job) throws SQLException, IOException {
        int deleted = deleteDelivered();
        if (deleted > 0) log.info("spool retention: deleted {} file(s) of studies delivered over {} ago", deleted, retention);
        return Outcome.done();
    }

    /** Deletes the eligible files now; returns how many. */
    public int deleteDelivered() throws SQLException, IOException {
        int deleted = 0;
        while (true) {
            List<Spooled> expired = expired();
            for (Spooled spooled : expired) {
                Files.deleteIfExists(spooled.file());
                removeIfEmptyStudyFolder(spooled.file().getParent());
                try (Connection c = database.connection();
                     PreparedStatement s = c.prepareStatement("update instance set file_deleted_at = now() where id = ?")) {
                    s.setLong(1, spooled.id());
                    s.executeUpdate();
                }
                deleted++;
            }
            if (expired.size() < BATCH) return deleted;
        }
    }

    private record Spooled(long id, Path file) {}

    /**
     * A study's folder goes with its last file: a spool keeping an empty folder for every study it ever held grows
     * without end (a 4 KiB entry per study, 172,800 a day at 2 studies/s). A folder still holding a file stays;
     * ingest makes the folder again if this removes it between ingest's mkdir and its rename.
     */
    private void removeIfEmptyStudyFolder(Path folder) {
        if (folder == null) return;
        folder = folder.toAbsolutePath().normalize();
        if (!folder.startsWith(settings.spool()) || folder.equals(settings.spool()) || folder.equals(settings.incoming())
                || folder.equals(settings.orphans())) {
            return;
        }
        try {
            Files.delete(folder);
        } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            // other files of the study are still there (not yet expired, or arrived meanwhile), or the folder went already
        } catch (IOException e) {
            log.warn("spool retention: cannot remove the empty study folder {}: {}", folder, e.getMessage());
        }
    }

    private List<Spooled> expired() throws SQLException {
        List<Spooled> expired = new ArrayList<>();
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select i.id, i.file_path from instance i join study st on st.id = i.study_id
                      where i.node = ? and i.file_deleted_at is null
                        -- An image whose prepare or infer failed (a lost node, a read error) or is under way keeps its file: a retry needs it.
                        and not exists (select 1 from job j where j.subject = i.sop_instance_uid and j.kind = any (?)
                                          and j.state in ('failed', 'queued', 'running'))
                        and ((st.instance_count > 0 and st.instance_count <= st.reported_instance_count
                              and exists (select 1 from study_result r where r.study_id = st.id)
                              -- A study whose latest result FAILED keeps its files: they are what a re-run needs.
                              and not exists (select 1 from study_result r where r.study_id = st.id and r.status = 'FAILED'
                                                 and r.revision = (select max(x.revision) from study_result x where x.study_id = r.study_id
                                                                     and x.model_id = r.model_id))
                              and not exists (select 1 from study_result r join delivery d on d.study_result_id = r.id
                                               where r.study_id = st.id
                                                 and (d.state not in ('delivered', 'shadow')
                                                      or coalesce(d.delivered_at, r.created_at) > now() - ? * interval '1 millisecond'))
                              and not exists (select 1 from study_result r where r.study_id = st.id
                                                 and r.created_at > now() - ? * interval '1 millisecond'))
                          or (st.instance_count = 0 and st.last_received_at < now() - ? * interval '1 millisecond'))
                      limit ?""")) {
            s.setString(1, settings.node());
            s.setArray(2, c.createArrayOf("text", JobKind.imageStages()));
            s.setLong(3, retention.toMillis());
            s.setLong(4, retention.toMillis());
            s.setLong(5, retention.toMillis());
            s.setInt(6, BATCH);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) expired.add(new Spooled(rs.getLong(1), Path.of(rs.getString(2))));
            }
        }
        return expired;
    }
}
