package io.attune.simulators.schedule;

/**
 * A schedule that cannot be parsed or makes no sense. The message is one line that quotes the
 * schedule and names the bad token or JSON key, and the valid choices.
 */
public final class ScheduleException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;
  private static final int QUOTED_LIMIT = 80;

  private final String problem;

  /** @param schedule the text as given, quoted in the message */
  public ScheduleException(String schedule, String problem) {
    super("schedule '" + quoted(schedule) + "': " + problem);
    this.problem = problem;
  }

  /** @param cause the parser's own exception, e.g. Jackson's, kept for ATTUNE_DEBUG */
  public ScheduleException(String schedule, String problem, Throwable cause) {
    super("schedule '" + quoted(schedule) + "': " + problem, cause);
    this.problem = problem;
  }

  /** What is wrong, without the quoted schedule. */
  public String problem() {
    return problem;
  }

  private static String quoted(String schedule) {
    final String line = schedule.strip().replaceAll("\\s+", " ");
    return line.length() <= QUOTED_LIMIT ? line : line.substring(0, QUOTED_LIMIT - 3) + "...";
  }
}
