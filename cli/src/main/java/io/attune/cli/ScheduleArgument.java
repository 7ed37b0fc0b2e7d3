package io.attune.cli;

import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ScheduleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code --schedule}: a compact schedule, its JSON form, or a file holding either. */
final class ScheduleArgument {

  private ScheduleArgument() {}

  /** @throws ParameterException naming the option and the bad token, file or key */
  static Schedule parse(CommandSpec spec, String text) throws IOException {
    try {
      return isFile(text) ? Schedule.read(Path.of(text)) : Schedule.parse(text);
    } catch (ScheduleException e) {
      throw new ParameterException(spec.commandLine(), "--schedule: " + e.getMessage(), e);
    }
  }

  private static boolean isFile(String text) {
    try {
      return Files.isRegularFile(Path.of(text));
    } catch (InvalidPathException notAPath) {
      return false;
    }
  }
}
