package dev.byhand.store;

/**
 * A request the store refuses as given: a wrong dimension, a non-finite number, an oversized id, a
 * malformed filter. Nothing of the request was applied. {@link #field()} names what was wrong (a
 * dotted path such as {@code points[3].vector}).
 */
public class InvalidRequestException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;

  /** A refusal of {@code field}; the message is prefixed with the field's name. */
  public InvalidRequestException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /** The field at fault, as a dotted path into the request. */
  public String field() {
    return field;
  }
}
