package dev.byhand.cli;

import picocli.CommandLine.Command;

/** {@code byhand explain …}: the seed's walkthroughs, every intermediate printed. */
@Command(
    name = "explain",
    description =
        "Run one of the seed's walkthroughs through byhand's own classes and print each step.",
    mixinStandardHelpOptions = true,
    subcommands = {ExplainDbCommand.class, ExplainVideoCommand.class})
final class ExplainCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "say what to explain: 'byhand explain db' or 'byhand explain video'");
  }
}
