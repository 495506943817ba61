package dev.byhand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import java.util.List;

/**
 * What {@code byhand db} does, whether on an embedded database folder ({@link EmbeddedBackend}) or
 * on a running server ({@link RemoteBackend}): the same operations, the same errors (store
 * exceptions), so every subcommand works on both with the same flags.
 */
interface DbBackend extends AutoCloseable {

  /** A collection's essentials. */
  record Info(String name, int dimension, String metric, String encoder, long points) {}

  /** Creates a collection; {@code dimension} 0 means "from the encoder". */
  Info create(String name, String encoder, int dimension, String metric);

  /** The collection's essentials. */
  Info info(String name);

  /** A collection that failed to open and is quarantined, and why. */
  record Failed(String name, String reason) {}

  /** The name of every collection that is open (not quarantined). */
  List<String> list();

  /** The quarantined collections: drop them or restore a snapshot under their names. */
  List<Failed> failed();

  /** Upserts a batch, all or nothing. */
  void upsert(String collection, List<Point> points);

  /** Searches by text or vector (exactly one non-null). */
  List<ScoredPoint> search(String collection, String text, float[] vector, int k, JsonNode filter);

  /** The points with these ids that exist, with payloads. */
  List<Point> get(String collection, List<String> ids, boolean withVector);

  /** Deletes points by ids; returns how many existed. */
  int delete(String collection, List<String> ids);

  /** Deletes the points passing a filter; returns how many. */
  int delete(String collection, JsonNode filter);

  /** Deletes a whole collection. */
  void drop(String collection);

  /** Counts points, optionally passing a filter (null: all). */
  long count(String collection, JsonNode filter);

  /** Takes a snapshot; returns its name. */
  String snapshot(String collection);

  /** The collection's snapshots, oldest first. */
  List<String> snapshots(String collection);

  /** Restores a snapshot as a new collection. */
  Info restore(String collection, String snapshot, String target);

  /** Builds a payload object (null stays null). */
  static ObjectNode payload(JsonNode n) {
    return n == null || n.isNull() ? null : (ObjectNode) n;
  }

  @Override
  void close();
}
