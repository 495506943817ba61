package dev.byhand.vector;

/**
 * One hit of a search.
 *
 * @param ordinal the point's position in its index, in the order points were added
 * @param score the {@link Metric}'s score; larger is nearer
 */
public record SearchResult(int ordinal, float score) {}
