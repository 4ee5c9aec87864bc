package org.triagerouter.ingest;

import java.nio.file.Path;
import org.triagerouter.dicom.Uids;
import org.triagerouter.dicom.file.InstanceHeader;

/** Where an instance lives in the spool: {@code <spool>/<StudyInstanceUID>/<SOPInstanceUID>.dcm}. */
final class SpoolLayout {
    static final String NO_STUDY_UID = "no-valid-study-uid";

    private SpoolLayout() {}

    /** UIDs become path segments, so only a syntactically valid UID may name a folder. */
    static Path pathOf(Path spool, InstanceHeader header) {
        String study = header.studyInstanceUid();
        return spool.resolve(Uids.isValid(study) ? study : NO_STUDY_UID).resolve(header.sopInstanceUid() + ".dcm");
    }
}
