package dev.byhand.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Bytes to a picocli {@link PrintWriter}, for the module APIs that print to a PrintStream: so their
 * output goes where the command's output goes (a terminal, or a test's buffer). UTF-8 is decoded
 * line by line, so multi-byte characters are never split.
 */
final class WriterOutputStream extends OutputStream {

  private final PrintWriter writer;
  private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

  WriterOutputStream(PrintWriter writer) {
    this.writer = writer;
  }

  @Override
  public void write(int b) {
    line.write(b);
    if (b == '\n') {
      flush();
    }
  }

  @Override
  public void flush() {
    if (line.size() > 0) {
      writer.print(line.toString(StandardCharsets.UTF_8));
      line.reset();
    }
    writer.flush();
  }
}
