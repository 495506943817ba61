package dev.byhand.server;

/**
 * A failure the server answers with a JSON error body {@code {"error": {"code", "message",
 * "field"}}} and an HTTP status. Thrown by request parsing and by checks the store does not make.
 */
public final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String field;

  /**
   * @param status the HTTP status
   * @param code a stable machine-readable code, e.g. {@code bad_request}
   * @param field the request field at fault, or null
   * @param message what is wrong, for a person
   */
  public ApiError(int status, String code, String field, String message) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** 400: the request is malformed or a value is out of range. */
  public static ApiError badRequest(String field, String message) {
    return new ApiError(400, "bad_request", field, message);
  }

  /** 413: the body or a batch is larger than the documented limit. */
  public static ApiError tooLarge(String field, String message) {
    return new ApiError(413, "too_large", field, message);
  }

  /** 404: the thing named does not exist. */
  public static ApiError notFound(String field, String message) {
    return new ApiError(404, "not_found", field, message);
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The machine-readable code. */
  public String code() {
    return code;
  }

  /** The request field at fault, or null. */
  public String field() {
    return field;
  }
}
