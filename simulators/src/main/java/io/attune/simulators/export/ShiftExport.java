package io.attune.simulators.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.attune.adaptation.data.ArrayWriter;
import io.attune.adaptation.data.DType;
import io.attune.adaptation.data.Shape;
import io.attune.simulators.corruption.ImageShape;
import io.attune.simulators.schedule.ShiftBatch;
import io.attune.simulators.schedule.ShiftStream;
import io.attune.simulators.schedule.Stage;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Writes a shifted stream to a directory through adaptation's IDX and NPY writers, so that
 * {@code ArrayReader}, {@code attune evaluate} and NumPy read it back:
 *
 * <ul>
 *   <li>{@code images}: uint8, {@code N x H x W} (or {@code N x C x H x W});
 *   <li>{@code labels}: uint8 class per sample; int8 when the stream has open-set samples, whose
 *       label is -1 (wider types only for more than 127 or 255 classes);
 *   <li>{@code domains}: the stage index per sample, uint8 (int16 past 256 stages);
 *   <li>{@code ood}: uint8, 1 for an open-set sample;
 *   <li>{@code schedule.json}: the schedule (compact and JSON), the seed, the image shape, the
 *       file names and types, and each domain's corruption, severity and sample count.
 * </ul>
 *
 * Each array is written to {@code NAME.part} and renamed when complete, {@code schedule.json}
 * last, so a directory with a {@code schedule.json} holds a whole export.
 */
public final class ShiftExport {

  /** Samples generated and written per step. */
  public static final int BATCH = 1000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private ShiftExport() {}

  /**
   * Writes the stream from its current position to its end into {@code directory}, creating it
   * if needed and replacing earlier export files there.
   *
   * @param progress told the number of samples written so far after each batch
   */
  public static ExportSummary write(ShiftStream stream, Path directory, ExportFormat format,
      LongConsumer progress) throws IOException {
    createDirectory(directory);
    final Layout layout = Layout.plan(stream, directory, format);
    final long[] perDomain = new long[stream.stages().size()];
    long written = 0;
    try (ArrayWriter images = format.create(layout.images, DType.UINT8, layout.imageShape);
        ArrayWriter labels = format.create(layout.labels, layout.labelType, layout.vector);
        ArrayWriter domains = format.create(layout.domains, layout.domainType, layout.vector);
        ArrayWriter ood = format.create(layout.ood, DType.UINT8, layout.vector)) {
      while (stream.hasNext()) {
        final ShiftBatch batch = stream.next(BATCH);
        images.write(batch.images(), 0, batch.images().length);
        writeIntegers(labels, batch.labels());
        writeIntegers(domains, batch.domains());
        ood.write(flags(batch.ood()), 0, batch.size());
        for (int domain : batch.domains()) {
          perDomain[domain]++;
        }
        written += batch.size();
        progress.accept(written);
      }
    }
    final Path description = directory.resolve("schedule.json");
    writeDescription(description, stream, layout, format, written, perDomain);
    return new ExportSummary(directory, layout.images, layout.labels, layout.domains, layout.ood,
        description, written, Arrays.stream(perDomain).boxed().toList());
  }

  private static void createDirectory(Path directory) throws IOException {
    try {
      Files.createDirectories(directory);
    } catch (FileAlreadyExistsException notADirectory) {
      throw new IOException(directory + ": exists and is not a directory", notADirectory);
    } catch (FileSystemException e) {
      // The JDK's message is often just the path; say what failed and why.
      throw new IOException(directory + ": cannot create the export directory ("
          + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()) + ")", e);
    }
  }

  /** File names, shapes and element types of one export. */
  private record Layout(Path images, Path labels, Path domains, Path ood, Shape imageShape,
      Shape vector, DType labelType, DType domainType) {

    static Layout plan(ShiftStream stream, Path directory, ExportFormat format) {
      final int count = Math.toIntExact(stream.length() - stream.position());
      final ImageShape shape = stream.shape();
      final Shape imageShape = shape.channels() == 1
          ? Shape.of(count, shape.height(), shape.width())
          : Shape.of(count, shape.channels(), shape.height(), shape.width());
      final boolean openSet = stream.schedule().openSet() > 0;
      return new Layout(directory.resolve(format.fileName("images")),
          directory.resolve(format.fileName("labels")),
          directory.resolve(format.fileName("domains")),
          directory.resolve(format.fileName("ood")), imageShape, Shape.of(count),
          integerType(openSet ? -1 : 0, stream.classes() - 1),
          integerType(0, stream.stages().size() - 1));
    }
  }

  /** The narrowest type holding {@code [min, max]}: uint8 for classes and domains if it can. */
  static DType integerType(long min, long max) {
    if (min >= 0 && max <= 255) {
      return DType.UINT8;
    }
    if (min >= Byte.MIN_VALUE && max <= Byte.MAX_VALUE) {
      return DType.INT8;
    }
    return min >= Short.MIN_VALUE && max <= Short.MAX_VALUE ? DType.INT16 : DType.INT32;
  }

  private static void writeIntegers(ArrayWriter writer, int[] values) throws IOException {
    if (writer.dtype().bytes() == 1) {
      final byte[] bytes = new byte[values.length];
      for (int i = 0; i < values.length; i++) {
        bytes[i] = (byte) values[i];
      }
      writer.write(bytes, 0, bytes.length);
    } else {
      writer.write(Arrays.stream(values).asLongStream().toArray(), 0, values.length);
    }
  }

  private static byte[] flags(boolean[] values) {
    final byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) (values[i] ? 1 : 0);
    }
    return bytes;
  }

  private static void writeDescription(Path file, ShiftStream stream, Layout layout,
      ExportFormat format, long written, long[] perDomain) throws IOException {
    final ObjectNode root = JSON.createObjectNode();
    root.put("spec", stream.schedule().spec());
    root.set("schedule", JSON.readTree(stream.schedule().toJson()));
    root.put("seed", stream.seed());
    root.put("samples", written);
    final ImageShape shape = stream.shape();
    root.putArray("imageShape").add(shape.channels()).add(shape.height()).add(shape.width());
    final ObjectNode files = root.putObject("files");
    files.put("images", layout.images.getFileName().toString());
    files.put("labels", layout.labels.getFileName().toString());
    files.put("domains", layout.domains.getFileName().toString());
    files.put("ood", layout.ood.getFileName().toString());
    files.put("format", format.name().toLowerCase(Locale.ROOT));
    root.put("labelType", layout.labelType.label());
    if (stream.schedule().openSet() > 0) {
      root.put("openSetLabel", -1);
    }
    root.put("domainType", layout.domainType.label());
    final ArrayNode domains = root.putArray("domains");
    final List<Stage> stages = new ArrayList<>(stream.stages());
    for (Stage stage : stages) {
      domains.addObject().put("index", stage.index()).put("corruption", stage.corruption())
          .put("severity", stage.severity()).put("samples", perDomain[stage.index()]);
    }
    final Path partial = file.resolveSibling(file.getFileName() + ".part");
    Files.writeString(partial, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root)
        + System.lineSeparator());
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
  }
}
