package org.triagerouter.analysis.simulation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Arrivals replayed as they happened: from the router's database or a CSV file. Every replication sees
 * the same studies; only the AI's random flags (operating-point model) and the reading times vary.
 *
 * @param source what the studies were read from, for reports (e.g. {@code arrivals.csv} or {@code router database})
 */
public record RecordedArrivals(List<StudyArrival> studies, String source) implements ArrivalSource {

    public RecordedArrivals {
        if (studies.isEmpty()) throw new IllegalArgumentException("no studies to replay from " + source);
        List<StudyArrival> sorted = new ArrayList<>(studies);
        sorted.sort(Comparator.comparingDouble(StudyArrival::arrivalSeconds)); // stable: equal times keep their order
        studies = List.copyOf(sorted);
    }

    @Override
    public List<StudyArrival> arrivals(RandomGenerator random) {
        return studies;
    }

    @Override
    public String description() {
        long abnormal = studies.stream().filter(StudyArrival::abnormal).count();
        double days = (studies.get(studies.size() - 1).arrivalSeconds() - studies.get(0).arrivalSeconds()) / 86_400.0;
        return String.format(Locale.ROOT, "replayed from %s: %d studies over %.1f days, %.1f%% abnormal",
                source, studies.size(), days, 100.0 * abnormal / studies.size());
    }
}
