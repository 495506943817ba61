package dev.byhand.store;

import java.util.List;

/**
 * One page of a scroll, in id order.
 *
 * @param points the points of this page
 * @param nextCursor the id to pass as the next call's cursor, or null after the last page
 */
public record Page(List<Point> points, String nextCursor) {}
