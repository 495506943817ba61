package dev.byhand.store;

import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import java.util.function.Function;

/**
 * A collection's text encoder, opened on first use and closed only once nobody uses it: a drop or
 * close that races a search waits for nothing and breaks nothing, the last user closes it.
 */
final class EncoderHandle {

  private final java.util.function.Supplier<TextEncoder> opener;
  private final String collection;
  private TextEncoder encoder;
  private int users;
  private boolean closed;

  EncoderHandle(String name, String collection) {
    this(() -> Encoders.open(name, EncoderOptions.defaults(name)), collection);
  }

  EncoderHandle(java.util.function.Supplier<TextEncoder> opener, String collection) {
    this.opener = opener;
    this.collection = collection;
  }

  /** Runs {@code work} with the encoder, which stays open until it returns. */
  <T> T use(Function<TextEncoder, T> work) {
    TextEncoder e = acquire();
    try {
      return work.apply(e);
    } finally {
      release();
    }
  }

  private synchronized TextEncoder acquire() {
    if (closed) {
      throw new IllegalStateException(
          "collection '" + collection + "' is closed; open the database again");
    }
    if (encoder == null) {
      encoder = opener.get();
    }
    users++;
    return encoder;
  }

  private synchronized void release() {
    users--;
    if (closed && users == 0) {
      closeNow();
    }
  }

  /** Closes the encoder now, or when its last user is done. */
  synchronized void close() {
    closed = true;
    if (users == 0) {
      closeNow();
    }
  }

  private void closeNow() {
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
  }
}
