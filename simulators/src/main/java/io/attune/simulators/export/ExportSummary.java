package io.attune.simulators.export;

import java.nio.file.Path;
import java.util.List;

/**
 * What an export wrote.
 *
 * @param directory where the files are
 * @param images the images file ({@code --images} of {@code attune evaluate})
 * @param labels the labels file ({@code --labels} of {@code attune evaluate})
 * @param domains the domain index per sample
 * @param ood the open-set flag per sample
 * @param description {@code schedule.json}: the schedule, seed and per-domain counts
 * @param samples samples written
 * @param perDomain samples written per domain (stage), open-set ones included
 */
public record ExportSummary(Path directory, Path images, Path labels, Path domains, Path ood,
    Path description, long samples, List<Long> perDomain) {

  public ExportSummary {
    perDomain = List.copyOf(perDomain);
  }
}
