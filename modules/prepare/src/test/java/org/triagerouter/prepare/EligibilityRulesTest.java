package org.triagerouter.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class EligibilityRulesTest {
    private static Map<String, String> header(String modality, String body, String view, String imageType) {
        return Map.of("Modality", modality, "BodyPartExamined", body, "ViewPosition", view, "ImageType", imageType,
                "PatientOrientation", "L\\F");
    }

    @Test
    void defaultRuleAdmitsFrontalChestRadiographsOnly() {
        EligibilityRules rules = EligibilityRules.defaults();
        assertTrue(rules.decide(header("DX", "CHEST", "PA", "ORIGINAL\\PRIMARY")).eligible());
        assertTrue(rules.decide(header("CR", "", "", "ORIGINAL\\PRIMARY")).eligible(), "unstated body part and view are allowed");
        assertTrue(rules.decide(header("cr", "thorax", "ap", "ORIGINAL\\PRIMARY")).eligible(), "case does not matter");

        EligibilityRules.Decision lateral = rules.decide(header("DX", "CHEST", "LL", "ORIGINAL\\PRIMARY"));
        assertFalse(lateral.eligible());
        assertEquals("ViewPosition is 'LL', not [(empty), AP, PA]", lateral.reason());

        EligibilityRules.Decision derived = rules.decide(header("DX", "CHEST", "PA", "DERIVED\\SECONDARY"));
        assertFalse(derived.eligible());
        assertTrue(derived.reason().startsWith("ImageType is 'DERIVED\\SECONDARY', excluded by /"), derived.reason());

        assertFalse(rules.decide(header("MR", "HEAD", "", "ORIGINAL\\PRIMARY")).eligible());
        Map<String, String> unlabelledLateral = new java.util.HashMap<>(header("DX", "CHEST", "", "ORIGINAL\\PRIMARY"));
        unlabelledLateral.put("PatientOrientation", "A\\F");
        assertFalse(rules.decide(unlabelledLateral).eligible(), "a lateral without View Position, told by its orientation");
    }

    @Test
    void rulesFromYamlWithValuesAndRegularExpressions() {
        List<?> yaml = new Yaml().load("""
                - name: adult-chest
                  require:
                    Modality: [DX]
                    StudyDescription: /.*CHEST.*/
                - name: portable
                  require:
                    Modality: [CR]
                    ViewPosition: [AP]
                """);
        EligibilityRules rules = EligibilityRules.fromYaml(yaml);
        assertEquals("adult-chest", rules.decide(Map.of("Modality", "DX", "StudyDescription", "XR CHEST 2 VIEWS")).rule());
        assertEquals("portable", rules.decide(Map.of("Modality", "CR", "ViewPosition", "AP", "StudyDescription", "")).rule());
        EligibilityRules.Decision no = rules.decide(Map.of("Modality", "CR", "ViewPosition", "PA", "StudyDescription", "x"));
        assertFalse(no.eligible());
        assertTrue(no.reason().contains("adult-chest: ") && no.reason().contains("portable: ViewPosition is 'PA', not [AP]"), no.reason());
        assertEquals(java.util.Set.of("Modality", "StudyDescription", "ViewPosition"), rules.keywords());
    }

    @Test
    void badRulesAreErrorsNamingTheRuleAndKey() {
        IllegalArgumentException keyword = assertThrows(IllegalArgumentException.class,
                () -> EligibilityRules.fromYaml(new Yaml().load("- name: r1\n  require:\n    Modalty: [DX]\n")));
        assertEquals("eligibility rule 'r1' require: 'Modalty' is not a DICOM keyword", keyword.getMessage());
        IllegalArgumentException yes = assertThrows(IllegalArgumentException.class,
                () -> EligibilityRules.fromYaml(new Yaml().load("- name: r3\n  reject:\n    BurnedInAnnotation: [YES]\n")));
        assertTrue(yes.getMessage().contains("quote it"), yes.getMessage());
        assertTrue(EligibilityRules.fromYaml(new Yaml().load("- name: r4\n  reject:\n    BurnedInAnnotation: [\"YES\"]\n"))
                .decide(Map.of("BurnedInAnnotation", "YES")).reason().contains("excluded"));
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
                () -> EligibilityRules.fromYaml(new Yaml().load("- name: r2\n  reject:\n    Modality: DX\n")));
        assertTrue(value.getMessage().startsWith("eligibility rule 'r2' reject Modality: expected a list"), value.getMessage());
    }
}
