package org.triagerouter.dicom.net;

import java.nio.file.Path;
import org.triagerouter.dicom.file.InstanceHeader;

/**
 * One instance received by C-STORE, complete and validated, in a Part 10 file under the incoming
 * directory. A handler that answers success or warning takes ownership of {@link #file()}.
 */
public record ReceivedInstance(
        AssociationInfo association,
        String transferSyntaxUid,
        Priority priority,
        Path file,
        long fileSize,
        InstanceHeader header) {

    public String sopInstanceUid() { return header.sopInstanceUid(); }

    public String sopClassUid() { return header.sopClassUid(); }
}
