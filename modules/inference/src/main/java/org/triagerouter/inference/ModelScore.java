package org.triagerouter.inference;

import java.util.List;
import java.util.Map;

/**
 * What a model says about one image.
 *
 * @param score                   the abnormality score in [0, 1], per the manifest's score rule
 * @param priority                the priority band the score falls in
 * @param positiveOperatingPoints names of the operating points whose threshold the score reaches, in manifest order
 * @param labelProbabilities      every output label's probability, in the model's label order
 */
public record ModelScore(double score, TriagePriority priority, List<String> positiveOperatingPoints, Map<String, Double> labelProbabilities) {
    public ModelScore {
        positiveOperatingPoints = List.copyOf(positiveOperatingPoints);
    }
}
