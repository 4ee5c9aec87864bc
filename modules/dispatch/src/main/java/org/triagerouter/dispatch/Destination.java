package org.triagerouter.dispatch;

import org.triagerouter.dicom.net.ClientSettings;
import org.triagerouter.dicom.net.RemoteAe;

/**
 * Where results are delivered: a PACS (or any C-STORE SCP) at {@code remote}, or, when {@code hl7} is set,
 * a RIS or interface engine that takes HL7 v2 over MLLP ({@code remote} is then null). {@code shadow}
 * computes and records but never sends; {@code keyObjects} also sends a DICOM destination, with an abnormal
 * result, a Key Object Selection of the images behind it; {@code resultImage} also sends it the result as a
 * Secondary Capture image, for viewers that do not show an SR; {@code storageCommitment} asks a DICOM destination, after
 * each delivery, to commit to storing what it received (Storage Commitment Push Model, {@link StorageCommitments}).
 * {@code dicom} is how a DICOM destination is called (calling AE title, TLS, timeouts, transfer syntaxes);
 * {@link DicomProfile#DEFAULT} for an HL7 one.
 */
public record Destination(String name, RemoteAe remote, boolean shadow, boolean keyObjects, Hl7Destination hl7, boolean resultImage,
                          boolean storageCommitment, DicomProfile dicom) {
    public Destination {
        if ((remote == null) == (hl7 == null)) throw new IllegalArgumentException("destination '" + name + "' must be either DICOM or HL7");
        if (hl7 != null && (keyObjects || resultImage || storageCommitment)) throw new IllegalArgumentException("destination '" + name
                + "': key objects, result images and storage commitment are DICOM; an HL7 destination gets messages");
        if (dicom == null) dicom = DicomProfile.DEFAULT;
        if (hl7 != null && !dicom.equals(DicomProfile.DEFAULT)) throw new IllegalArgumentException("destination '" + name + "': a DICOM profile "
                + "for an HL7 destination");
    }

    public Destination(String name, RemoteAe remote, boolean shadow, boolean keyObjects, Hl7Destination hl7, boolean resultImage,
                       boolean storageCommitment) {
        this(name, remote, shadow, keyObjects, hl7, resultImage, storageCommitment, DicomProfile.DEFAULT);
    }

    public Destination(String name, RemoteAe remote, boolean shadow, boolean keyObjects, Hl7Destination hl7, boolean resultImage) {
        this(name, remote, shadow, keyObjects, hl7, resultImage, false);
    }

    public Destination(String name, RemoteAe remote, boolean shadow, boolean keyObjects, Hl7Destination hl7) {
        this(name, remote, shadow, keyObjects, hl7, false);
    }

    public Destination(String name, RemoteAe remote, boolean shadow, boolean keyObjects) {
        this(name, remote, shadow, keyObjects, null);
    }

    public Destination(String name, RemoteAe remote, boolean shadow) {
        this(name, remote, shadow, false, null);
    }

    public static Destination hl7(String name, boolean shadow, Hl7Destination hl7) {
        return new Destination(name, null, shadow, false, hl7);
    }

    public boolean isHl7() { return hl7 != null; }

    /** This DICOM destination's SCU settings: the router's, with its profile laid over them. */
    public ClientSettings clientSettings(ClientSettings router) { return dicom.clientSettings(router); }

    /** AE@host:port or hl7://host:port, for logs. */
    public String address() { return isHl7() ? hl7.endpoint().toString() : remote.toString(); }
}
