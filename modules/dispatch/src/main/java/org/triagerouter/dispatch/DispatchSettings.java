package org.triagerouter.dispatch;

import java.util.List;
import org.triagerouter.dicom.net.ClientSettings;

/** Where results go, how this node calls them (its AE title, timeouts, TLS), and how long a storage commitment may take. */
public record DispatchSettings(List<Destination> destinations, ClientSettings client, StorageCommitmentSettings storageCommitment) {
    public DispatchSettings(List<Destination> destinations, ClientSettings client) {
        this(destinations, client, StorageCommitmentSettings.defaults());
    }
}
