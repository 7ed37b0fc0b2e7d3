package io.attune.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code attune} command: parses, dispatches, and turns failures into exit codes. */
public final class Attune {

  private Attune() {}

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line and returns its exit code, writing to the given streams. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return commandLine(out, err).execute(args);
  }

  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new AttuneCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(new OneLineErrors.BadArguments());
    cli.setExecutionExceptionHandler(new OneLineErrors.FailedCommand());
    return cli;
  }
}
