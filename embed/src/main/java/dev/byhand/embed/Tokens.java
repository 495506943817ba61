package dev.byhand.embed;

import java.util.Arrays;
import java.util.Objects;

/**
 * One text as its encoder sees it: word pieces and their vocabulary ids, special tokens included
 * ({@code [CLS] … [SEP]} for BERT-style models). Seed step [2] looks each id up in the embedding
 * table.
 *
 * @param pieces the token strings, for display
 * @param ids the vocabulary id of each token, same length as {@code pieces}
 */
public record Tokens(String[] pieces, long[] ids) {

  public Tokens {
    Objects.requireNonNull(pieces, "pieces");
    Objects.requireNonNull(ids, "ids");
    if (pieces.length != ids.length) {
      throw new IllegalArgumentException(
          "ids: length " + ids.length + " differs from pieces length " + pieces.length);
    }
  }

  /** Number of tokens, special tokens included. */
  public int size() {
    return ids.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tokens t && Arrays.equals(pieces, t.pieces) && Arrays.equals(ids, t.ids);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(pieces) + Arrays.hashCode(ids);
  }

  @Override
  public String toString() {
    return Arrays.toString(pieces);
  }
}
