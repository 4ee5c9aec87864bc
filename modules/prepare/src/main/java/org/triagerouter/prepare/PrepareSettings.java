package org.triagerouter.prepare;

/**
 * @param maxSide longest side of the canonical image; larger images are area-averaged down
 * @param node    this node: prepare jobs are pinned to the node whose spool holds the file
 * @param workers prepare worker threads on this node
 */
public record PrepareSettings(EligibilityRules rules, int maxSide, String node, int workers) {}
