package io.attune.simulators.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.simulators.FashionMnist;
import io.attune.simulators.corruption.Corruptions;
import io.attune.simulators.schedule.LabeledImages;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShiftGalleryTest {

  private static final LabeledImages SOURCE = FashionMnist.test().head(10);

  @Test
  void aGalleryHasARowPerCorruptionAndSixColumnsOfCells(@TempDir Path dir) throws Exception {
    final Path png = dir.resolve("docs").resolve("gallery.png");
    final ShiftGallery gallery = new ShiftGallery(
        List.of(Corruptions.GAUSSIAN_NOISE, Corruptions.ROTATE), new int[] {0, 1}, 2, 0);

    gallery.write(SOURCE, "test", png);

    final BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isGreaterThan(6 * 2 * 56);
    assertThat(image.getHeight()).isBetween(2 * 56, 2 * 56 + 150);
    assertThat(Files.list(png.getParent())).containsExactly(png);
  }

  @Test
  void theSameGalleryDrawsTheSamePixels() {
    final ShiftGallery gallery = ShiftGallery.of(new int[] {3}, 1, 5);

    final BufferedImage first = gallery.render(SOURCE, "a");
    final BufferedImage second = gallery.render(SOURCE, "a");

    assertThat(first.getRGB(0, 0, first.getWidth(), first.getHeight(), null, 0, first.getWidth()))
        .isEqualTo(second.getRGB(0, 0, second.getWidth(), second.getHeight(), null, 0,
            second.getWidth()));
  }

  @Test
  void anImageIndexOutsideTheSourceIsRejected() {
    assertThatThrownBy(() -> ShiftGallery.of(new int[] {10}, 2, 0).render(SOURCE, "x"))
        .hasMessage("image index 10 is outside the source of 10 images");
  }
}
