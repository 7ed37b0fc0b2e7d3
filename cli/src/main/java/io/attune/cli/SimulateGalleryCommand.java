package io.attune.cli;

import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.CorruptionRegistry;
import io.attune.simulators.corruption.Corruptions;
import io.attune.simulators.export.ShiftGallery;
import io.attune.simulators.schedule.LabeledImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code attune simulate gallery}: a PNG grid of every corruption at every severity. */
@Command(
    name = "gallery",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Draw a PNG grid of the corruptions: rows corruptions, columns clean and severity "
        + "1 to 5.",
    description = {
      "",
      "Each cell shows the same few source images, enlarged; noise patterns are seeded per "
          + "image, so a row shows one pattern growing stronger. Runs without a display.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./attune simulate gallery",
      "  ./attune simulate gallery --out /tmp/noise.png --pick 0,1,2,3,4 --scale 3 \\",
      "      --corruptions gaussian_noise,shot_noise"
    })
final class SimulateGalleryCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--out", paramLabel = "PNG",
      defaultValue = "${sys:attune.home:-.}/docs/shift-gallery.png",
      description = "The picture to write (default: ${DEFAULT-VALUE}).")
  private Path out;

  @Option(names = "--pick", paramLabel = "INDEX", split = ",", defaultValue = "0,1,2",
      description = "Source images shown in each cell (default: ${DEFAULT-VALUE}: an ankle "
          + "boot, a pullover and trousers).")
  private int[] pick;

  @Option(names = "--corruptions", paramLabel = "NAME", split = ",",
      description = "Rows to draw (default: every built-in corruption).")
  private List<String> corruptions;

  @Option(names = "--scale", paramLabel = "N", defaultValue = "2",
      description = "Screen pixels per image pixel, 1 to 16 (default: ${DEFAULT-VALUE}).")
  private int scale;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of the random corruptions (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--title", paramLabel = "TEXT",
      description = "Heading of the picture (default: the images' file name and the seed).")
  private String title;

  @Mixin
  private LabelledImagesOptions labelled = new LabelledImagesOptions();


  @Override
  public Integer call() throws IOException {
    // Drawing text needs no display; without this, AWT looks for one on some systems.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    final ShiftGallery gallery = gallery();
    for (Path file : List.of(labelled.images, labelled.labels)) {
      if (!Files.isRegularFile(file)) {
        throw new ParameterException(spec.commandLine(), file + ": no such file");
      }
    }
    final LabeledImages source = LabeledImages.read(labelled.images, labelled.labels);
    final long start = System.nanoTime();
    gallery.write(source, title != null ? title
        : "Shifts of " + labelled.images.getFileName() + " (seed " + seed + ")", out);
    spec.commandLine().getOut().printf("wrote %s: %d corruptions x clean and 5 severities, "
        + "%d images each, in %.1f s%n", out, gallery.corruptions().size(), pick.length,
        (System.nanoTime() - start) / 1e9);
    return 0;
  }

  private ShiftGallery gallery() {
    final List<Corruption> rows;
    try {
      rows = corruptions == null ? Corruptions.shifts()
          : corruptions.stream().map(CorruptionRegistry.standard()::require).toList();
      return new ShiftGallery(rows, pick, scale, seed);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage() + " (--corruptions "
          + corruptions + ", --pick " + Arrays.toString(pick) + ", --scale " + scale + ")");
    }
  }
}
