package org.triagerouter.dicom.sr;

import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.DicomException;

/**
 * The coded concepts of the triage SR. Standard DICOM (DCM), SNOMED CT (SCT), UMLS and UCUM codes
 * wherever one exists, IHE's 99IHE code where the AI Results profile prescribes it; the two concepts that have
 * none use the private scheme 99TRIAGE (docs/sr.md).
 */
final class TriageCodes {
    private TriageCodes() {}

    static final String PRIVATE_SCHEME = "99TRIAGE";

    static CodedSequenceItem code(String value, String scheme, String meaning) {
        try {
            return new CodedSequenceItem(value, scheme, meaning);
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        }
    }

    static CodedSequenceItem imagingMeasurementReport() { return code("126000", "DCM", "Imaging Measurement Report"); }
    static CodedSequenceItem language() { return code("121049", "DCM", "Language of Content Item and Descendants"); }
    static CodedSequenceItem englishUs() { return code("en-US", "RFC5646", "English (United States)"); }
    static CodedSequenceItem observerType() { return code("121005", "DCM", "Observer Type"); }
    static CodedSequenceItem device() { return code("121007", "DCM", "Device"); }
    static CodedSequenceItem deviceObserverUid() { return code("121012", "DCM", "Device Observer UID"); }
    static CodedSequenceItem deviceObserverName() { return code("121013", "DCM", "Device Observer Name"); }
    static CodedSequenceItem deviceObserverManufacturer() { return code("121014", "DCM", "Device Observer Manufacturer"); }
    static CodedSequenceItem deviceObserverModelName() { return code("121015", "DCM", "Device Observer Model Name"); }
    static CodedSequenceItem procedureReported() { return code("121058", "DCM", "Procedure reported"); }
    /** The only CID 100 (Quantitative Diagnostic Imaging Procedures) concept that covers a radiograph; TID 1500 row 4 takes its value from CID 100. */
    static CodedSequenceItem imagingProcedure() { return code("363679005", "SCT", "Imaging procedure"); }
    /** TID 1005 Procedure Context row 9 (no value set): where the specific procedure is stated. */
    static CodedSequenceItem procedureCode() { return code("121023", "DCM", "Procedure Code"); }
    static CodedSequenceItem plainChestXray() { return code("399208008", "SCT", "Plain chest X-ray"); }
    static CodedSequenceItem imageLibrary() { return code("111028", "DCM", "Image Library"); }
    static CodedSequenceItem imageLibraryGroup() { return code("126200", "DCM", "Image Library Group"); }
    static CodedSequenceItem imagingMeasurements() { return code("126010", "DCM", "Imaging Measurements"); }
    static CodedSequenceItem measurementGroup() { return code("125007", "DCM", "Measurement Group"); }
    static CodedSequenceItem trackingIdentifier() { return code("112039", "DCM", "Tracking Identifier"); }
    static CodedSequenceItem trackingUid() { return code("112040", "DCM", "Tracking Unique Identifier"); }
    static CodedSequenceItem algorithmName() { return code("111001", "DCM", "Algorithm Name"); }
    static CodedSequenceItem algorithmVersion() { return code("111003", "DCM", "Algorithm Version"); }
    static CodedSequenceItem algorithmParameters() { return code("111002", "DCM", "Algorithm Parameters"); }
    static CodedSequenceItem qualitativeEvaluations() { return code("C0034375", "UMLS", "Qualitative Evaluations"); }
    static CodedSequenceItem finding() { return code("121071", "DCM", "Finding"); }
    static CodedSequenceItem abnormal() { return code("263654008", "SCT", "Abnormal"); }
    static CodedSequenceItem normal() { return code("17621005", "SCT", "Normal"); }
    static CodedSequenceItem comment() { return code("121106", "DCM", "Comment"); }
    static CodedSequenceItem noUnits() { return code("1", "UCUM", "no units"); }
    static CodedSequenceItem ofInterest() { return code("113000", "DCM", "Of Interest"); }
    static CodedSequenceItem keyObjectDescription() { return code("113012", "DCM", "Key Object Description"); }
    /** IHE AI Results (AIR) Rev. 1.1, 6.5.3.1: Purpose of Reference of the algorithm's Contributing Equipment item. */
    static CodedSequenceItem processingAlgorithm() { return code("Newcode1", "99IHE", "Processing Algorithm"); }
    static CodedSequenceItem abnormalityScore() { return code("ABNSCORE", PRIVATE_SCHEME, "Abnormality score"); }
    static CodedSequenceItem triagePriority() { return code("TRIAGEPRI", PRIVATE_SCHEME, "Triage priority"); }
}
