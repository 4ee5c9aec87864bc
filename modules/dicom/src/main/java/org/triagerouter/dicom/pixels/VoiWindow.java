package org.triagerouter.dicom.pixels;

/**
 * The VOI window functions of PS3.3 C.11.2.1.2 (LINEAR, LINEAR_EXACT, SIGMOID), mapping a modality
 * value to a display value in [0, 255].
 */
record VoiWindow(double center, double width, String function) {
    double apply(double x) {
        switch (function) {
            case "SIGMOID" -> {
                return 255.0 / (1 + Math.exp(-4 * (x - center) / width));
            }
            case "LINEAR_EXACT" -> {
                if (x <= center - width / 2) return 0;
                if (x > center + width / 2) return 255;
                return ((x - center) / width + 0.5) * 255;
            }
            default -> {
                double w = Math.max(1, width);
                if (x <= center - 0.5 - (w - 1) / 2) return 0;
                if (x > center - 0.5 + (w - 1) / 2) return 255;
                return ((x - (center - 0.5)) / (w - 1) + 0.5) * 255;
            }
        }
    }
}
