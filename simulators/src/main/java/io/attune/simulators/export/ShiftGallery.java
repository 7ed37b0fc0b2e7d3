package io.attune.simulators.export;

import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.Corruptions;
import io.attune.simulators.corruption.ImageShape;
import io.attune.simulators.corruption.Seeds;
import io.attune.simulators.schedule.LabeledImages;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A picture of what the shifts look like: one row per corruption, columns clean and severities 1
 * to 5, each cell the same few source images, enlarged with nearest neighbours so pixels stay
 * visible. Drawn with java.awt on an off-screen image; callers without a display should run with
 * {@code -Djava.awt.headless=true}.
 *
 * @param corruptions the rows, top to bottom
 * @param imageIndices the source images shown in every cell
 * @param scale screen pixels per image pixel
 * @param seed stream seed; image {@code i} is corrupted with {@code Seeds.forImage(seed, i)} in
 *     every cell, so a row shows one noise pattern growing stronger
 */
public record ShiftGallery(List<Corruption> corruptions, int[] imageIndices, int scale,
    long seed) {

  private static final int GAP = 4;
  private static final int CELL_GAP = 14;
  private static final int MARGIN = 16;
  /** Room for the title line and the column headings. */
  private static final int HEADER = 52;
  private static final Color BACKGROUND = Color.WHITE;
  private static final Color INK = new Color(0x22, 0x22, 0x22);
  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 18);

  /** @throws IllegalArgumentException if there is nothing to draw or the scale is not 1 to 16 */
  public ShiftGallery {
    corruptions = List.copyOf(corruptions);
    Objects.requireNonNull(imageIndices, "imageIndices");
    imageIndices = imageIndices.clone();
    if (corruptions.isEmpty() || imageIndices.length == 0) {
      throw new IllegalArgumentException("a gallery needs at least one corruption and one image");
    }
    if (scale < 1 || scale > 16) {
      throw new IllegalArgumentException("gallery scale must be 1 to 16, got " + scale);
    }
  }

  /** Every built-in corruption on the given images. */
  public static ShiftGallery of(int[] imageIndices, int scale, long seed) {
    return new ShiftGallery(Corruptions.shifts(), imageIndices, scale, seed);
  }

  /**
   * Draws the grid.
   *
   * @throws IllegalArgumentException if an index is outside the source or the images have
   *     neither 1 nor 3 channels
   */
  public BufferedImage render(LabeledImages source, String title) {
    checkSource(source);
    final Grid grid = grid(source.shape());
    final BufferedImage out =
        new BufferedImage(grid.width(), grid.height(), BufferedImage.TYPE_INT_RGB);
    final Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, grid.width(), grid.height());
      g.setColor(INK);
      drawHeadings(g, grid, title);
      for (int row = 0; row < corruptions.size(); row++) {
        drawRow(g, source, corruptions.get(row), grid, row);
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /** Renders and writes a PNG, replacing {@code file} only once it is complete. */
  public void write(LabeledImages source, String title, Path file) throws IOException {
    final BufferedImage image = render(source, title);
    Png.write(image, file);
  }

  /** Where things go: cells right of the row labels, below the headings. */
  private record Grid(int left, int top, int cellWidth, int tileWidth, int tileHeight, int width,
      int height) {

    int cellX(int column) {
      return left + column * (cellWidth + CELL_GAP);
    }

    int rowY(int row) {
      return top + row * (tileHeight + CELL_GAP);
    }
  }

  private Grid grid(ImageShape shape) {
    final int tileWidth = shape.width() * scale;
    final int tileHeight = shape.height() * scale;
    final int cellWidth = imageIndices.length * tileWidth + (imageIndices.length - 1) * GAP;
    final int left = MARGIN + labelWidth();
    final int top = MARGIN + HEADER;
    final int columns = Corruption.MAX_SEVERITY + 1;
    return new Grid(left, top, cellWidth, tileWidth, tileHeight,
        left + columns * (cellWidth + CELL_GAP) - CELL_GAP + MARGIN,
        top + corruptions.size() * (tileHeight + CELL_GAP) - CELL_GAP + MARGIN);
  }

  private static void drawHeadings(Graphics2D g, Grid grid, String title) {
    g.setFont(TITLE);
    g.drawString(title, MARGIN, MARGIN + TITLE.getSize());
    g.setFont(LABEL);
    for (int column = 0; column <= Corruption.MAX_SEVERITY; column++) {
      g.drawString(column == 0 ? "clean" : "severity " + column, grid.cellX(column),
          grid.top() - LABEL.getSize() / 2 - 2);
    }
  }

  private void drawRow(Graphics2D g, LabeledImages source, Corruption corruption, Grid grid,
      int row) {
    final FontMetrics metrics = g.getFontMetrics();
    final int y = grid.rowY(row);
    g.drawString(corruption.name(), MARGIN,
        y + (grid.tileHeight() + metrics.getAscent() - metrics.getDescent()) / 2);
    for (int column = 0; column <= Corruption.MAX_SEVERITY; column++) {
      for (int k = 0; k < imageIndices.length; k++) {
        final byte[] pixels = shifted(source, corruption, column, imageIndices[k]);
        g.drawImage(tile(pixels, source.shape()),
            grid.cellX(column) + k * (grid.tileWidth() + GAP), y, null);
      }
    }
  }

  private byte[] shifted(LabeledImages source, Corruption corruption, int severity, int index) {
    final ImageShape shape = source.shape();
    final byte[] image = new byte[shape.size()];
    source.copyImage(index, image, 0);
    return severity == 0 ? image
        : corruption.apply(image, shape, severity, Seeds.forImage(seed, index));
  }

  /** One image enlarged {@code scale} times, gray or RGB from CHW planes. */
  private BufferedImage tile(byte[] pixels, ImageShape shape) {
    final BufferedImage tile = new BufferedImage(shape.width() * scale, shape.height() * scale,
        BufferedImage.TYPE_INT_RGB);
    final int plane = shape.plane();
    for (int y = 0; y < tile.getHeight(); y++) {
      for (int x = 0; x < tile.getWidth(); x++) {
        final int p = (y / scale) * shape.width() + x / scale;
        final int r = pixels[p] & 0xFF;
        final int gr = shape.channels() == 3 ? pixels[plane + p] & 0xFF : r;
        final int b = shape.channels() == 3 ? pixels[2 * plane + p] & 0xFF : r;
        tile.setRGB(x, y, r << 16 | gr << 8 | b);
      }
    }
    return tile;
  }

  private int labelWidth() {
    final Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    try {
      final FontMetrics metrics = g.getFontMetrics(LABEL);
      return corruptions.stream().mapToInt(c -> metrics.stringWidth(c.name())).max().orElse(0)
          + CELL_GAP;
    } finally {
      g.dispose();
    }
  }

  private void checkSource(LabeledImages source) {
    final int channels = source.shape().channels();
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("a gallery draws gray or RGB images, got " + channels
          + " channels");
    }
    for (int index : imageIndices) {
      if (index < 0 || index >= source.count()) {
        throw new IllegalArgumentException("image index " + index + " is outside the source of "
            + source.count() + " images");
      }
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ShiftGallery that && scale == that.scale && seed == that.seed
        && corruptions.equals(that.corruptions)
        && Arrays.equals(imageIndices, that.imageIndices);
  }

  @Override
  public int hashCode() {
    return Objects.hash(corruptions, scale, seed, Arrays.hashCode(imageIndices));
  }

  @Override
  public String toString() {
    return "ShiftGallery[" + corruptions.size() + " corruptions, images "
        + Arrays.toString(imageIndices) + ", scale " + scale + ", seed " + seed + "]";
  }

  @Override
  public int[] imageIndices() {
    return imageIndices.clone();
  }
}
