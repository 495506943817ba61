package dev.byhand.store;

/**
 * A collection's state.
 *
 * @param config what it was created with
 * @param points live points
 * @param walBytes bytes in the write-ahead log not yet folded into a segment
 * @param lastSequence sequence number of the last acknowledged write
 * @param segmentSequence last write folded into the current segment (0: none yet)
 * @param deletedInIndex deleted points still in the HNSW graph, to be compacted away
 */
public record CollectionInfo(
    CollectionConfig config,
    long points,
    long walBytes,
    long lastSequence,
    long segmentSequence,
    long deletedInIndex) {}
