package dev.byhand.server;

import dev.byhand.store.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own error answers (requests refused before they reach the API: a NUL in the path, an
 * ambiguous encoding, headers too large) in the API's JSON error shape instead of Jetty's HTML.
 */
final class JsonErrorHandler extends ErrorHandler {

  JsonErrorHandler() {
    setShowStacks(false);
    setShowServlet(false);
  }

  static byte[] body(int status, String message) {
    var root = Json.MAPPER.createObjectNode();
    var err = root.putObject("status");
    err.put(
        "code",
        status == 404
            ? "not_found"
            : status == 413 ? "too_large" : status < 500 ? "bad_request" : "internal");
    err.put(
        "error", message == null || message.isBlank() ? HttpStatus.getMessage(status) : message);
    err.putNull("field");
    root.put("time", 0.0);
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status, reason));
  }

  @Override
  protected void generateAcceptableResponse(
      Request baseRequest,
      HttpServletRequest request,
      HttpServletResponse response,
      int code,
      String message)
      throws IOException {
    baseRequest.setHandled(true);
    response.setContentType("application/json");
    response.getOutputStream().write(body(code, message));
  }
}
