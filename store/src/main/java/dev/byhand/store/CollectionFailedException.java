package dev.byhand.store;

/**
 * The collection named exists but failed to open and is quarantined ({@link FailedCollection}): it
 * can only be dropped or have a snapshot restored under its name. The message names it and says
 * why.
 */
public class CollectionFailedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final transient FailedCollection failure;

  public CollectionFailedException(FailedCollection failure) {
    super(
        "collection '"
            + failure.name()
            + "' failed to open and is quarantined: "
            + failure.reason()
            + "; drop it or restore a snapshot under its name",
        failure.cause());
    this.failure = failure;
  }

  /** Which collection, and why. */
  public FailedCollection failure() {
    return failure;
  }
}
