package org.triagerouter.app.lifecycle;

import java.sql.Connection;
import java.sql.ResultSet;
import org.triagerouter.store.JobKinds;
import org.triagerouter.store.JobQueue;

/**
 * Spool files live on the node that received them, and Quartz may fire this on any node: it queues
 * one retention job per node holding files, pinned to that node, whose worker deletes what may go.
 */
public final class SpoolRetentionJob extends LifecycleJob {
    @Override
    void run(LifecycleScheduler.Services services) throws Exception {
        try (Connection c = services.database().connection()) {
            c.setAutoCommit(false);
            try (ResultSet rs = c.createStatement().executeQuery("select distinct node from instance where file_deleted_at is null")) {
                while (rs.next()) JobQueue.enqueue(c, JobKinds.RETENTION, rs.getString(1), 0, rs.getString(1));
            }
            c.commit();
        }
    }
}
