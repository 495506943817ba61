package dev.byhand.cli;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code byhand} command: one entry point for the vector database and the video model. */
@Command(
    name = "byhand",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "A vector database and a text-to-video diffusion transformer, each step of which you can see.",
      ""
    },
    subcommands = {
      DemoCommand.class,
      EmbedCommand.class,
      ExplainCommand.class,
      DbCommand.class,
      VideoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  /** Exit code for success. */
  public static final int OK = 0;

  /** Exit code for bad input: an unknown option, a value out of range, a missing argument. */
  public static final int USAGE = 1;

  /** Exit code when something named does not exist: a file, a collection, a model. */
  public static final int NOT_FOUND = 2;

  /** Exit code when the work itself failed (a server error, an I/O failure). */
  public static final int FAILED = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(
        run(args, new PrintWriter(System.out, true), new PrintWriter(directStderr(), true)));
  }

  /**
   * The stream the command's own messages go to. The launcher runs database commands with the JVM's
   * stderr (fd 2) piped through a filter that drops the JVM's incubator-module warning, and hands
   * the terminal's stderr over as another descriptor named by {@code byhand.stderr}: the command
   * writes there directly, so its last line is on screen before the shell's prompt returns, which a
   * filter in between could not promise.
   */
  private static java.io.PrintStream directStderr() {
    String path = System.getProperty("byhand.stderr");
    if (path != null) {
      try {
        java.io.PrintStream direct =
            new java.io.PrintStream(
                new java.io.FileOutputStream(path), true, java.nio.charset.StandardCharsets.UTF_8);
        System.setErr(direct);
        return direct;
      } catch (FileNotFoundException | SecurityException e) {
        // no such descriptor: the JVM's own stderr serves
      }
    }
    return System.err;
  }

  /** Runs the command line with the given output streams and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (e, a) -> {
          e.getCommandLine().getErr().println("byhand: " + Terminal.safe(e.getMessage()));
          e.getCommandLine()
              .getErr()
              .println("Try 'byhand " + commandPath(e.getCommandLine()) + "--help' for usage.");
          return USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("byhand: " + oneLine(e));
          if (Boolean.getBoolean("byhand.debug")) {
            e.printStackTrace(commandLine.getErr());
          }
          return exitCodeOf(e);
        });
    return cli.execute(args);
  }

  private static String commandPath(CommandLine c) {
    StringBuilder sb = new StringBuilder();
    for (CommandLine p = c; p.getParent() != null; p = p.getParent()) {
      sb.insert(0, p.getCommandName() + " ");
    }
    return sb.toString();
  }

  /** The one line a user sees for a failure: the message, never a stack trace. */
  static String oneLine(Throwable e) {
    Throwable t = e;
    if (t instanceof UncheckedIOException && t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
      return "no such file: " + Terminal.safe(m);
    }
    if (m == null || m.isBlank()) {
      m = t.getClass().getSimpleName();
    }
    // a message may quote what a user or a stored point gave (an id, a file name): no control
    // characters reach the terminal from it
    return Terminal.safe(m.lines().findFirst().orElse(m));
  }

  static int exitCodeOf(Throwable e) {
    Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
      return NOT_FOUND;
    }
    if (t instanceof IllegalArgumentException) {
      return USAGE;
    }
    return FAILED;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"byhand " + (v == null ? "(development build)" : v)};
    }
  }
}
