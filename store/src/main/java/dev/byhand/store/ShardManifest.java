package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * What a sharded collection is: {@code manifest.json} beside its shard folders. Each shard is an
 * ordinary database folder ({@link Database#open}) holding one collection of the manifest's name;
 * together they hold every point once. Written by the Spark {@code index} job, read by {@link
 * ShardedCollection}.
 *
 * <pre>
 * index/
 *   manifest.json        this record
 *   shard-00000/         a database folder: collections/&lt;name&gt;/…
 *   shard-00001/
 * </pre>
 *
 * @param name the collection's name in every shard
 * @param dimension numbers per vector
 * @param metric how vectors are compared
 * @param encoder the encoder its vectors came from, or null
 * @param m HNSW links per node per layer of every shard
 * @param efConstruction HNSW beam width while building every shard
 * @param partitioner which shard a point went to
 * @param shards one entry per shard, in shard order
 */
public record ShardManifest(
    String name,
    int dimension,
    Metric metric,
    String encoder,
    int m,
    int efConstruction,
    Partitioner partitioner,
    List<Shard> shards)
    implements java.io.Serializable {

  private static final long serialVersionUID = 1L;

  /** The {@code format} field of every manifest. */
  public static final String FORMAT = "byhand-shards";

  /** The version this code writes and reads. */
  public static final int VERSION = 1;

  /** The manifest's file name inside its folder. */
  public static final String FILE = "manifest.json";

  public ShardManifest {
    CollectionConfig.checkName(name);
    if (shards == null || shards.isEmpty()) {
      throw new InvalidRequestException("shards", "a manifest needs at least one shard");
    }
    shards = List.copyOf(shards);
    for (int i = 0; i < shards.size(); i++) {
      if (shards.get(i).shard() != i) {
        throw new InvalidRequestException(
            "shards[" + i + "]", "shards must be listed in order, got " + shards.get(i).shard());
      }
    }
    if (partitioner == null) {
      throw new InvalidRequestException("partitioner", "is required");
    }
    if (partitioner.kind() == Partitioner.Kind.KMEANS
        && partitioner.centroids().length != shards.size()) {
      throw new InvalidRequestException(
          "partitioner.centroids",
          "has " + partitioner.centroids().length + " centroids for " + shards.size() + " shards");
    }
  }

  /** Points in all shards. */
  public long points() {
    long n = 0;
    for (Shard s : shards) {
      n += s.points();
    }
    return n;
  }

  /** The configuration every shard's collection has. */
  public CollectionConfig collectionConfig() {
    return collectionConfig(name, dimension, metric, encoder, m, efConstruction);
  }

  /**
   * The configuration of a shard's collection: the encoder's (when there is one, and it makes this
   * dimension and metric) or a plain one, with these HNSW settings.
   */
  public static CollectionConfig collectionConfig(
      String name, int dimension, Metric metric, String encoder, int m, int efConstruction) {
    CollectionConfig c =
        encoder == null
            ? CollectionConfig.of(name, dimension, metric)
            : CollectionConfig.withEncoder(name, encoder);
    if (c.dimension() != dimension || c.metric() != metric) {
      throw new InvalidRequestException(
          "encoder",
          "'"
              + encoder
              + "' makes "
              + c.dimension()
              + " numbers compared by "
              + c.metric()
              + "; the manifest says "
              + dimension
              + " by "
              + metric);
    }
    return c.withHnsw(m, efConstruction);
  }

  // ---- partitioners ------------------------------------------------------------------------

  /**
   * How points were assigned to shards.
   *
   * @param kind {@link Kind#HASH}: shard {@code = hash(id) mod S} ({@link #hash}); {@link
   *     Kind#KMEANS}: the shard of the nearest centroid ({@link #nearest})
   * @param centroids for k-means, one per shard (normalised for cosine); else empty
   */
  public record Partitioner(Kind kind, float[][] centroids) implements java.io.Serializable {

    /** The two ways. */
    public enum Kind {
      HASH,
      KMEANS
    }

    public Partitioner {
      centroids = centroids == null ? new float[0][] : centroids;
    }

    /** Equal kinds and equal centroids, number for number. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Partitioner p
          && p.kind == kind
          && java.util.Arrays.deepEquals(p.centroids, centroids);
    }

    @Override
    public int hashCode() {
      return kind.hashCode() * 31 + java.util.Arrays.deepHashCode(centroids);
    }

    @Override
    public String toString() {
      return kind == Kind.HASH ? "hash" : "kmeans(" + centroids.length + " centroids)";
    }

    /** By hash of the id. */
    public static Partitioner hash() {
      return new Partitioner(Kind.HASH, null);
    }

    /** By nearest centroid. */
    public static Partitioner kmeans(float[][] centroids) {
      return new Partitioner(Kind.KMEANS, centroids);
    }
  }

  /**
   * The hash of an id that {@link Partitioner.Kind#HASH} partitions by: 64-bit FNV-1a over its
   * UTF-8 bytes, then MurmurHash3's 64-bit finaliser so that the low bits mix well. Fixed forever:
   * a manifest's shards depend on it.
   */
  public static long hash(String id) {
    long h = 0xcbf29ce484222325L;
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** The shard of an id under hash partitioning into {@code shards} shards. */
  public static int hashShard(String id, int shards) {
    return (int) Long.remainderUnsigned(hash(id), shards);
  }

  /**
   * The shards whose centroids are nearest {@code vector}, nearest first ({@code n} of them): by
   * cosine similarity for cosine collections, by L2 distance otherwise (for dot-product collections
   * a largest-inner-product rule would send everything to the longest centroid).
   */
  public static int[] nearest(float[][] centroids, Metric metric, float[] vector, int n) {
    float[] v = metric == Metric.COSINE ? normalised(vector) : vector;
    int s = centroids.length;
    n = Math.min(n, s);
    double[] score = new double[s];
    for (int c = 0; c < s; c++) {
      double x = 0;
      float[] cen = centroids[c];
      if (metric == Metric.COSINE) {
        for (int i = 0; i < v.length; i++) {
          x += (double) v[i] * cen[i];
        }
      } else {
        for (int i = 0; i < v.length; i++) {
          double d = (double) v[i] - cen[i];
          x -= d * d;
        }
      }
      score[c] = x;
    }
    Integer[] order = new Integer[s];
    for (int i = 0; i < s; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = order[i];
    }
    return out;
  }

  static float[] normalised(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum == 0) {
      return v.clone();
    }
    float inv = (float) (1 / Math.sqrt(sum));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * inv;
    }
    return out;
  }

  /** The shard a point belongs to. */
  public int shardOf(String id, float[] vector) {
    return partitioner.kind() == Partitioner.Kind.HASH
        ? hashShard(id, shards.size())
        : nearest(partitioner.centroids(), metric, vector, 1)[0];
  }

  // ---- shards and their checksums ----------------------------------------------------------

  /**
   * One shard.
   *
   * @param shard its number, from 0
   * @param path its folder, relative to the manifest's folder
   * @param points points in it
   * @param files every file of its folder (but the lock file) with its size and CRC32C
   */
  public record Shard(int shard, String path, long points, List<FileSum> files)
      implements java.io.Serializable {
    public Shard {
      if (path == null || path.isEmpty() || path.contains("..") || path.startsWith("/")) {
        throw new InvalidRequestException(
            "shards[" + shard + "].path", "must be a folder inside the manifest's, got " + path);
      }
      files = List.copyOf(files);
    }

    /** Bytes of all its files. */
    public long bytes() {
      long n = 0;
      for (FileSum f : files) {
        n += f.bytes();
      }
      return n;
    }

    /** One CRC32C over the file list (names, sizes, sums): equal lists, equal checksums. */
    public String checksum() {
      CRC32C crc = new CRC32C();
      for (FileSum f : files) {
        crc.update(
            (f.path() + " " + f.bytes() + " " + f.crc32c() + "\n")
                .getBytes(StandardCharsets.UTF_8));
      }
      return hex(crc.getValue());
    }
  }

  /**
   * A file of a shard.
   *
   * @param path relative to the shard's folder, with {@code /} between names
   * @param bytes its size
   * @param crc32c its CRC32C, 8 hex digits
   */
  public record FileSum(String path, long bytes, String crc32c) implements java.io.Serializable {}

  /**
   * Describes a finished shard folder: every file but the lock file, sorted by path, with its size
   * and CRC32C.
   */
  public static Shard describe(Path folder, int shard, String path, long points) {
    List<FileSum> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(folder)) {
      List<Path> all = s.filter(Files::isRegularFile).sorted().toList();
      for (Path p : all) {
        String rel = folder.relativize(p).toString().replace('\\', '/');
        if (rel.equals("byhand.lock")) {
          continue;
        }
        files.add(new FileSum(rel, Files.size(p), crc32c(p)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read shard folder " + folder + ": " + e, e);
    }
    return new Shard(shard, path, points, files);
  }

  /**
   * Checks that the shard's folder holds every listed file with its size and CRC32C (other files,
   * such as the lock file or a log a server opened, are allowed).
   *
   * @throws CorruptedFileException naming the first file that is missing or differs
   */
  public static void verify(Path folder, Shard shard) {
    for (FileSum f : shard.files()) {
      Path p = folder.resolve(f.path());
      try {
        long size = Files.size(p);
        if (size != f.bytes()) {
          throw new CorruptedFileException(
              p, "has " + size + " bytes; the manifest says " + f.bytes());
        }
        String sum = crc32c(p);
        if (!sum.equals(f.crc32c())) {
          throw new CorruptedFileException(
              p, "has CRC32C " + sum + "; the manifest says " + f.crc32c());
        }
      } catch (NoSuchFileException e) {
        throw new CorruptedFileException(p, "missing: the shard folder is incomplete");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
      }
    }
  }

  private static String crc32c(Path p) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(p)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        crc.update(buf, 0, n);
      }
    }
    return hex(crc.getValue());
  }

  private static String hex(long v) {
    return String.format(Locale.ROOT, "%08x", v);
  }

  // ---- JSON --------------------------------------------------------------------------------

  /** The manifest as JSON (what {@code manifest.json} holds). */
  public byte[] toJson() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("format", FORMAT);
    o.put("version", VERSION);
    o.put("name", name);
    o.put("dimension", dimension);
    o.put("metric", metric.toString());
    if (encoder == null) {
      o.putNull("encoder");
    } else {
      o.put("encoder", encoder);
    }
    o.putObject("hnsw").put("m", m).put("ef_construction", efConstruction);
    ObjectNode p = o.putObject("partitioner");
    p.put("kind", partitioner.kind().name().toLowerCase(Locale.ROOT));
    if (partitioner.kind() == Partitioner.Kind.HASH) {
      p.put("function", "fnv1a64-fmix64 of the id's UTF-8 bytes, unsigned, mod shards");
    } else {
      ArrayNode cs = p.putArray("centroids");
      for (float[] c : partitioner.centroids()) {
        ArrayNode a = cs.addArray();
        for (float x : c) {
          a.add(x);
        }
      }
    }
    o.put("points", points());
    ArrayNode arr = o.putArray("shards");
    for (Shard s : shards) {
      arr.add(shardJson(s));
    }
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a manifest.
   *
   * @throws InvalidRequestException naming the field that is missing or wrong
   */
  public static ShardManifest fromJson(byte[] json) {
    JsonNode o;
    try {
      o = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new InvalidRequestException(
          "manifest", "is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (o == null || !o.isObject() || !FORMAT.equals(o.path("format").asText())) {
      throw new InvalidRequestException(
          "format", "is not a byhand shard manifest (format must be '" + FORMAT + "')");
    }
    if (o.path("version").asInt() != VERSION) {
      throw new InvalidRequestException(
          "version", "is " + o.path("version") + "; this byhand reads version " + VERSION);
    }
    JsonNode p = o.path("partitioner");
    Partitioner partitioner;
    switch (p.path("kind").asText()) {
      case "hash" -> partitioner = Partitioner.hash();
      case "kmeans" -> {
        JsonNode cs = p.path("centroids");
        float[][] c = new float[cs.size()][];
        for (int i = 0; i < c.length; i++) {
          JsonNode a = cs.get(i);
          c[i] = new float[a.size()];
          for (int j = 0; j < c[i].length; j++) {
            c[i][j] = (float) a.get(j).asDouble();
          }
        }
        partitioner = Partitioner.kmeans(c);
      }
      default ->
          throw new InvalidRequestException(
              "partitioner.kind", "must be hash or kmeans, got " + p.path("kind"));
    }
    List<Shard> shards = new ArrayList<>();
    for (JsonNode s : o.path("shards")) {
      shards.add(shard(s));
    }
    JsonNode enc = o.path("encoder");
    return new ShardManifest(
        o.path("name").asText(),
        o.path("dimension").asInt(),
        Metric.parse(o.path("metric").asText()),
        enc.isNull() || enc.isMissingNode() ? null : enc.asText(),
        o.path("hnsw").path("m").asInt(16),
        o.path("hnsw").path("ef_construction").asInt(100),
        partitioner,
        shards);
  }

  /** One shard's entry as JSON (as the manifest lists it). */
  public static ObjectNode shardJson(Shard s) {
    ObjectNode so = Json.MAPPER.createObjectNode();
    so.put("shard", s.shard());
    so.put("path", s.path());
    so.put("points", s.points());
    so.put("bytes", s.bytes());
    so.put("checksum", s.checksum());
    ArrayNode fs = so.putArray("files");
    for (FileSum f : s.files()) {
      fs.addObject().put("path", f.path()).put("bytes", f.bytes()).put("crc32c", f.crc32c());
    }
    return so;
  }

  /**
   * Reads one shard's entry.
   *
   * @throws InvalidRequestException if its checksum does not match its file list
   */
  public static Shard shard(JsonNode s) {
    List<FileSum> files = new ArrayList<>();
    for (JsonNode f : s.path("files")) {
      files.add(
          new FileSum(
              f.path("path").asText(), f.path("bytes").asLong(), f.path("crc32c").asText()));
    }
    Shard shard =
        new Shard(
            s.path("shard").asInt(), s.path("path").asText(), s.path("points").asLong(), files);
    if (s.has("checksum") && !s.path("checksum").asText().equals(shard.checksum())) {
      throw new InvalidRequestException(
          "shards[" + shard.shard() + "].checksum", "does not match the shard's file list");
    }
    return shard;
  }

  /** Reads {@code manifest.json}, given the file or its folder. */
  public static ShardManifest read(Path fileOrFolder) {
    Path file = Files.isDirectory(fileOrFolder) ? fileOrFolder.resolve(FILE) : fileOrFolder;
    try {
      return fromJson(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new NotFoundException("manifest", "no manifest at " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
