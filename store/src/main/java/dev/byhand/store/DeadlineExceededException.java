package dev.byhand.store;

/**
 * A read or a filtered write stopped because it ran past its deadline ({@link
 * Filter#withDeadline}). Nothing was changed: a write resolves its filter before it logs anything.
 */
public class DeadlineExceededException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public DeadlineExceededException(String message) {
    super(message);
  }
}
