package org.triagerouter.dispatch;

import org.triagerouter.dicom.net.RemoteAe;

/**
 * A PACS (or any C-STORE SCP) results are delivered to. {@code shadow} computes and records but never
 * sends; {@code keyObjects} also sends, with an abnormal result, a Key Object Selection of the images behind it.
 */
public record Destination(String name, RemoteAe remote, boolean shadow, boolean keyObjects) {
    public Destination(String name, RemoteAe remote, boolean shadow) {
        this(name, remote, shadow, false);
    }
}
