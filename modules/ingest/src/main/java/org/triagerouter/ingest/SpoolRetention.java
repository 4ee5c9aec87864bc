package org.triagerouter.ingest;

import java.io.IOException;
import java.nio.file.Files;
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
import org.triagerouter.store.Outcome;
import org.triagerouter.store.StageWorker;

/**
 * Deletes this node's spool files of studies whose results were all delivered more than
 * {@code retention} ago, and never before: a study still waiting for a delivery, or never reported,
 * keeps its files. The rows stay, marked with the time their file went.
 */
public final class SpoolRetention implements StageWorker.Handler {
    private static final Logger log = LoggerFactory.getLogger(SpoolRetention.class);

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
        record Spooled(long id, Path file) {}
        List<Spooled> expired = new ArrayList<>();
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     select i.id, i.file_path from instance i
                      where i.node = ? and i.file_deleted_at is null
                        and exists (select 1 from study_result r where r.study_id = i.study_id)
                        -- A study whose latest result FAILED keeps its files: they are what a re-run needs.
                        and not exists (select 1 from study_result r where r.study_id = i.study_id and r.status = 'FAILED'
                                           and r.revision = (select max(x.revision) from study_result x where x.study_id = r.study_id
                                                               and x.model_id = r.model_id))
                        and not exists (select 1 from study_result r join delivery d on d.study_result_id = r.id
                                         where r.study_id = i.study_id
                                           and (d.state not in ('delivered', 'shadow')
                                                or coalesce(d.delivered_at, r.created_at) > now() - ? * interval '1 millisecond'))
                        and not exists (select 1 from study_result r where r.study_id = i.study_id
                                           and r.created_at > now() - ? * interval '1 millisecond')
                        and (select count(*) from instance all_i where all_i.study_id = i.study_id)
                            = (select reported_instance_count from study st where st.id = i.study_id)""")) {
            s.setString(1, settings.node());
            s.setLong(2, retention.toMillis());
            s.setLong(3, retention.toMillis());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) expired.add(new Spooled(rs.getLong(1), Path.of(rs.getString(2))));
            }
        }
        int deleted = 0;
        for (Spooled spooled : expired) {
            Files.deleteIfExists(spooled.file());
            try (Connection c = database.connection();
                 PreparedStatement s = c.prepareStatement("update instance set file_deleted_at = now() where id = ?")) {
                s.setLong(1, spooled.id());
                s.executeUpdate();
            }
            deleted++;
        }
        return deleted;
    }
}
