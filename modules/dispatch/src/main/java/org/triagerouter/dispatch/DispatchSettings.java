package org.triagerouter.dispatch;

import java.util.List;
import org.triagerouter.dicom.net.ClientSettings;

/**
 * Where results go, how this node calls them by default (its AE title, timeouts; plain TCP, each destination's profile laid
 * over it), and how long a storage commitment may take.
 */
public record DispatchSettings(List<Destination> destinations, ClientSettings client, StorageCommitmentSettings storageCommitment) {
    public DispatchSettings(List<Destination> destinations, ClientSettings client) {
        this(destinations, client, StorageCommitmentSettings.defaults());
    }
}
