package dev.byhand.store;

/** Something named in a request does not exist: a collection, a point, a snapshot. */
public class NotFoundException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String field;

  public NotFoundException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /** The field that named the missing thing. */
  public String field() {
    return field;
  }
}
