package org.triagerouter.analysis.evaluation;

/**
 * Studies whose score lies in [from, to) (the last bin also holds 1.0): how many, their mean score, and the
 * fraction truly abnormal. For a calibrated model the two agree. Both are NaN in an empty bin.
 */
public record CalibrationBin(double from, double to, int count, double meanScore, double observedAbnormalFraction) {}
