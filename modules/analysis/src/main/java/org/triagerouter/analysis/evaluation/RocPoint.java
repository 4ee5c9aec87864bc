package org.triagerouter.analysis.evaluation;

/** One point of a ROC curve: calling studies with score ≥ {@code threshold} abnormal gives these rates. */
public record RocPoint(double threshold, double falsePositiveRate, double truePositiveRate) {}
