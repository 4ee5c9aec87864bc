package org.triagerouter.dispatch;

import java.util.List;
import org.triagerouter.dicom.net.ClientSettings;

/** Where results go and how this node calls them (its AE title, timeouts, TLS). */
public record DispatchSettings(List<Destination> destinations, ClientSettings client) {}
