package dev.byhand.server;

import java.nio.file.Path;

/**
 * How a server runs.
 *
 * @param data the database folder
 * @param host address to listen on; anything but loopback needs API keys
 * @param port TCP port, 0 for any free one
 * @param keys API keys, {@link ApiKeys#none()} for an open (loopback) server
 * @param maxBodyBytes largest request body accepted (413 beyond it)
 * @param maxBatchSearches most searches in one batch-search request (413 beyond it)
 * @param shutdownMillis how long a stop waits for in-flight requests
 * @param tlsKeystore a PKCS#12 or JKS keystore holding the server's key and certificate, to serve
 *     HTTPS only; null for plain HTTP
 * @param tlsPassword the keystore's password (and its key's)
 * @param maxResponseBytes largest answer the server builds (413 beyond it, before anything is sent)
 * @param requestTimeoutMillis how long a search, count, scroll or filtered write may take from its
 *     arrival, waiting in the queue included (503 beyond it, nothing changed)
 */
public record ServerConfig(
    Path data,
    String host,
    int port,
    ApiKeys keys,
    long maxBodyBytes,
    int maxBatchSearches,
    long shutdownMillis,
    Path tlsKeystore,
    String tlsPassword,
    long maxResponseBytes,
    long requestTimeoutMillis) {

  /** Default port. */
  public static final int DEFAULT_PORT = 7700;

  /**
   * Default body limit, 64 MiB: a full upsert batch of 10,000 points × 384 numbers written as JSON
   * is about 45 MiB.
   */
  public static final long DEFAULT_MAX_BODY_BYTES = 64L << 20;

  /** Default batch-search limit: 100 searches answer in well under a second on two cores. */
  public static final int DEFAULT_MAX_BATCH_SEARCHES = 100;

  /**
   * Default answer limit, 64 MiB, as for bodies: a scroll of 10,000 points of 384 numbers with
   * small payloads is about 50 MiB; 10,000 hits with 1 MiB payloads would be 10 GiB.
   */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 64L << 20;

  /**
   * Default deadline, 10 s: thousands of times a search's milliseconds, so only a scan that has run
   * away (a filter no index narrows, over a large collection) meets it.
   */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 10_000;

  /** Checks the values. */
  public ServerConfig {
    if (data == null) {
      throw new IllegalArgumentException("data: a database folder is required");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: must be in [0, 65535], got " + port);
    }
    if (maxBodyBytes < 1024 || maxBodyBytes > (1L << 30)) {
      throw new IllegalArgumentException(
          "max-body-bytes: must be in [1024, 1 GiB], got " + maxBodyBytes);
    }
    if (maxBatchSearches < 1 || maxBatchSearches > 10_000) {
      throw new IllegalArgumentException(
          "max-batch-searches: must be in [1, 10000], got " + maxBatchSearches);
    }
    keys = keys == null ? ApiKeys.none() : keys;
    if (tlsKeystore != null && tlsPassword == null) {
      throw new IllegalArgumentException("tls-password: required with a keystore");
    }
    if (maxResponseBytes < 1024 || maxResponseBytes > (1L << 30)) {
      throw new IllegalArgumentException(
          "max-response-bytes: must be in [1024, 1 GiB], got " + maxResponseBytes);
    }
    if (requestTimeoutMillis < 1 || requestTimeoutMillis > 3_600_000) {
      throw new IllegalArgumentException(
          "request-timeout-ms: must be in [1, 3600000], got " + requestTimeoutMillis);
    }
  }

  /** Defaults: loopback, port 7700, no keys, the default limits, 30 s to drain on stop. */
  public static ServerConfig of(Path data) {
    return new ServerConfig(
        data,
        "127.0.0.1",
        DEFAULT_PORT,
        ApiKeys.none(),
        DEFAULT_MAX_BODY_BYTES,
        DEFAULT_MAX_BATCH_SEARCHES,
        30_000,
        null,
        null,
        DEFAULT_MAX_RESPONSE_BYTES,
        DEFAULT_REQUEST_TIMEOUT_MILLIS);
  }

  /** The same with another host and port. */
  public ServerConfig withAddress(String newHost, int newPort) {
    return new ServerConfig(
        data,
        newHost,
        newPort,
        keys,
        maxBodyBytes,
        maxBatchSearches,
        shutdownMillis,
        tlsKeystore,
        tlsPassword,
        maxResponseBytes,
        requestTimeoutMillis);
  }

  /** The same with other keys. */
  public ServerConfig withKeys(ApiKeys newKeys) {
    return new ServerConfig(
        data,
        host,
        port,
        newKeys,
        maxBodyBytes,
        maxBatchSearches,
        shutdownMillis,
        tlsKeystore,
        tlsPassword,
        maxResponseBytes,
        requestTimeoutMillis);
  }

  /** The same with another body limit. */
  public ServerConfig withMaxBodyBytes(long bytes) {
    return new ServerConfig(
        data,
        host,
        port,
        keys,
        bytes,
        maxBatchSearches,
        shutdownMillis,
        tlsKeystore,
        tlsPassword,
        maxResponseBytes,
        requestTimeoutMillis);
  }

  /** The same serving HTTPS only, with the key and certificate in {@code keystore}. */
  public ServerConfig withTls(Path keystore, String password) {
    return new ServerConfig(
        data,
        host,
        port,
        keys,
        maxBodyBytes,
        maxBatchSearches,
        shutdownMillis,
        keystore,
        password,
        maxResponseBytes,
        requestTimeoutMillis);
  }

  /** The same with another answer limit. */
  public ServerConfig withMaxResponseBytes(long bytes) {
    return new ServerConfig(
        data,
        host,
        port,
        keys,
        maxBodyBytes,
        maxBatchSearches,
        shutdownMillis,
        tlsKeystore,
        tlsPassword,
        bytes,
        requestTimeoutMillis);
  }

  /** The same with another request deadline. */
  public ServerConfig withRequestTimeoutMillis(long millis) {
    return new ServerConfig(
        data,
        host,
        port,
        keys,
        maxBodyBytes,
        maxBatchSearches,
        shutdownMillis,
        tlsKeystore,
        tlsPassword,
        maxResponseBytes,
        millis);
  }
}
