package dev.byhand.store;

/**
 * A request larger than a documented limit (a filter with too many conditions, a list with too many
 * values): refused before any work, nothing applied. The server answers it with 413.
 */
public class LimitExceededException extends InvalidRequestException {

  private static final long serialVersionUID = 1L;

  /** A refusal of {@code field}; the message is prefixed with the field's name. */
  public LimitExceededException(String field, String message) {
    super(field, message);
  }
}
