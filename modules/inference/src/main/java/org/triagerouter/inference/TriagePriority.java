package org.triagerouter.inference;

/** How soon a radiologist should look at a study, highest first. */
public enum TriagePriority {
    URGENT, HIGH, ROUTINE
}
