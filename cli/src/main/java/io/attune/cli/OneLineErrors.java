package io.attune.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Users see one line per failure, never a stack trace: a bad argument exits 2, a command that
 * fails (bad file, bad model) exits 1. {@code ATTUNE_DEBUG=1} prints the stack trace too.
 */
final class OneLineErrors {

  static final int BAD_ARGUMENTS = 2;
  static final int FAILED = 1;

  private OneLineErrors() {}

  static final class BadArguments implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cmd = ex.getCommandLine();
      String help = cmd.getCommandSpec().qualifiedName() + " --help";
      cmd.getErr().println("attune: " + describe(ex) + " (see '" + help + "')");
      debugTrace(cmd, ex);
      return BAD_ARGUMENTS;
    }
  }

  static final class FailedCommand implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
      String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
      cmd.getErr().println("attune " + cmd.getCommandName() + ": " + firstLine(message));
      debugTrace(cmd, ex);
      return FAILED;
    }
  }

  /** Names an unknown command as such; picocli would call it an unmatched argument. */
  private static String describe(ParameterException ex) {
    boolean topLevel = ex.getCommandLine().getParent() == null;
    if (topLevel && ex instanceof UnmatchedArgumentException unmatched
        && !unmatched.getUnmatched().isEmpty()
        && !unmatched.getUnmatched().get(0).startsWith("-")) {
      return "unknown command '" + unmatched.getUnmatched().get(0) + "'";
    }
    return firstLine(ex.getMessage());
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static void debugTrace(CommandLine cmd, Exception ex) {
    if ("1".equals(System.getenv("ATTUNE_DEBUG"))) {
      ex.printStackTrace(cmd.getErr());
    }
  }
}
