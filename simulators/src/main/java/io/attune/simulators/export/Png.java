package io.attune.simulators.export;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/** What every picture Attune draws shares: an antialiased canvas and an all-or-nothing write. */
public final class Png {

  private Png() {}

  /**
   * A graphics context on {@code image}, antialiased (shapes and text), filled with
   * {@code background}; the caller disposes it.
   */
  public static Graphics2D canvas(BufferedImage image, Color background) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(background);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    return g;
  }

  /**
   * Writes {@code image} as a PNG, replacing {@code file} only once it is complete, so that a
   * reader never sees half a picture.
   */
  public static void write(BufferedImage image, Path file) throws IOException {
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path partial = absolute.resolveSibling(absolute.getFileName() + ".part");
    if (!ImageIO.write(image, "png", partial.toFile())) {
      throw new IOException(file + ": this JDK has no PNG writer");
    }
    Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING);
  }
}
