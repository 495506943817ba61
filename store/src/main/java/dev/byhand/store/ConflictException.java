package dev.byhand.store;

/** The request clashes with what exists: a collection of that name is already there. */
public class ConflictException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String field;

  public ConflictException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /** The field that clashed. */
  public String field() {
    return field;
  }
}
