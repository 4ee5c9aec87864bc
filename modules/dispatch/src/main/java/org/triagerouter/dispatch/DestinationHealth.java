package org.triagerouter.dispatch;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.net.ClientAssociation;
import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.DimseStatus;
import org.triagerouter.dicom.net.PresentationContext;
import org.triagerouter.store.Database;

/**
 * C-ECHO to every DICOM destination (called as its profile says: calling AE title, TLS), an MLLP connection (TCP, and TLS when configured) to every HL7 one,
 * without sending a message; the outcome is stored per destination for the dashboard.
 */
public final class DestinationHealth {
    private final Database database;
    private final List<Destination> destinations;
    private final ClientSettings client;

    public DestinationHealth(Database database, List<Destination> destinations, ClientSettings client) {
        this.database = database;
        this.destinations = destinations;
        this.client = client;
    }

    public void checkAll() throws SQLException {
        for (Destination d : destinations) {
            boolean ok;
            String message;
            long start = System.nanoTime();
            if (d.isHl7()) {
                try (org.triagerouter.hl7.MllpConnection connection = org.triagerouter.hl7.MllpConnection.open(d.hl7().endpoint())) {
                    ok = true;
                    message = "MLLP connected in " + (System.nanoTime() - start) / 1_000_000 + " ms";
                } catch (IOException e) {
                    ok = false;
                    message = e.getMessage();
                }
                record(d, ok, message);
                continue;
            }
            try (ClientAssociation a = ClientAssociation.open(d.clientSettings(client), d.remote(),
                    List.of(PresentationContext.proposed(1, Uids.VERIFICATION, Uids.UNCOMPRESSED_TRANSFER_SYNTAXES)))) {
                DimseStatus status = a.echo();
                ok = status.isSuccess();
                message = "C-ECHO " + status + " in " + (System.nanoTime() - start) / 1_000_000 + " ms";
                try {
                    a.release();
                } catch (IOException releaseFailed) {
                    // The echo answered: the destination is up, however it ends the association.
                }
            } catch (IOException | RuntimeException e) {
                ok = false;
                message = e.getMessage();
            }
            record(d, ok, message);
        }
    }

    private void record(Destination d, boolean ok, String message) throws SQLException {
        try (Connection c = database.connection();
             PreparedStatement s = c.prepareStatement("""
                     insert into destination_health (destination, checked_at, ok, message) values (?, now(), ?, ?)
                     on conflict (destination) do update set checked_at = now(), ok = excluded.ok, message = excluded.message""")) {
            s.setString(1, d.name());
            s.setBoolean(2, ok);
            s.setString(3, message);
            s.executeUpdate();
        }
    }
}
