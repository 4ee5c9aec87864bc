package org.triagerouter.report;

/**
 * A destination as the report stage sees it: a delivery is queued for it with every SR ({@code shadow}:
 * recorded, never sent), and it wants a Key Object Selection with abnormal results ({@code keyObjects}).
 * How and where it is sent is the dispatch stage's business.
 */
public record ResultRecipient(String name, boolean shadow, boolean keyObjects) {}
