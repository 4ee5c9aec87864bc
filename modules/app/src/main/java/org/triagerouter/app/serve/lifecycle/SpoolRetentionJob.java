package org.triagerouter.app.serve.lifecycle;

import java.sql.Connection;
import java.sql.ResultSet;
import org.triagerouter.store.JobKind;
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
            // A lost node's spool is out of reach: its retention waits until it is back.
            try (ResultSet rs = c.createStatement().executeQuery("""
                    select distinct i.node from instance i where i.file_deleted_at is null
                       and not exists (select 1 from node n where n.name = i.node and n.lost_at is not null)""")) {
                while (rs.next()) JobQueue.enqueue(c, JobKind.RETENTION, rs.getString(1), JobKind.ROUTINE, rs.getString(1));
            }
            c.commit();
        }
    }
}
