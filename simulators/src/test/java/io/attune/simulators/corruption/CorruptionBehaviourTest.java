package io.attune.simulators.corruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.simulators.FashionMnist;
import io.attune.simulators.schedule.LabeledImages;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CorruptionBehaviourTest {

  private static final LabeledImages IMAGES = FashionMnist.test().head(3);
  private static final ImageShape GRAY = IMAGES.shape();
  private static final ImageShape RGB = new ImageShape(3, 28, 28);

  static Stream<Corruption> shifts() {
    return Corruptions.shifts().stream();
  }

  static Stream<Corruption> blurAndGeometric() {
    return shifts().filter(c -> c.family() == Family.BLUR || c.family() == Family.GEOMETRIC
        || c == Corruptions.ELASTIC_TRANSFORM || c == Corruptions.PIXELATE
        || c == Corruptions.CONTRAST || c == Corruptions.JPEG_COMPRESSION);
  }

  @Test
  void thereAreAtLeastFifteenShiftsWithUniqueLowerCaseNames() {
    assertThat(Corruptions.shifts()).hasSizeGreaterThanOrEqualTo(15);
    assertThat(Corruptions.shifts().stream().map(Corruption::name))
        .doesNotHaveDuplicates()
        .allMatch(name -> name.matches("[a-z][a-z_]*"));
  }

  @ParameterizedTest
  @MethodSource("shifts")
  void everyShiftHasFiveSeveritiesOfParameters(Corruption corruption) {
    assertThat(corruption.parameters()).isNotEmpty()
        .allSatisfy(p -> assertThat(p.values()).hasSize(Corruption.MAX_SEVERITY));
  }

  @ParameterizedTest
  @MethodSource("shifts")
  void severityOneAlreadyChangesARealImage(Corruption corruption) {
    final byte[] image = image(0);

    assertThat(corruption.apply(image, GRAY, 1, 5)).hasSameSizeAs(image).isNotEqualTo(image);
  }

  @Test
  void cleanLeavesTheImageAlone() {
    final byte[] image = image(1);

    assertThat(Corruptions.CLEAN.apply(image, GRAY, 0, 5)).isEqualTo(image);
  }

  @Test
  void severityOutOfRangeNamesTheCorruptionAndTheRange() {
    assertThatThrownBy(() -> Corruptions.FOG.apply(image(0), GRAY, 6, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("severity of fog must be 1 to 5, got 6");
    assertThatThrownBy(() -> Corruptions.FOG.apply(image(0), GRAY, 0, 0))
        .hasMessageContaining("got 0");
  }

  @Test
  void tooShortAnArrayIsRejectedWithTheSizes() {
    assertThatThrownBy(() -> Corruptions.GAUSSIAN_NOISE.applyBatch(new byte[784], 2, GRAY, 1, 0,
        0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("2 images of 1 x 28 x 28 need 1568 bytes, got 784");
  }

  @ParameterizedTest
  @MethodSource("shifts")
  void colourImagesAreCorruptedInEveryChannel(Corruption corruption) {
    final byte[] rgb = rgbOf(image(0), image(1), image(2));

    final byte[] out = corruption.apply(rgb, RGB, 5, 9);

    for (int c = 0; c < 3; c++) {
      assertThat(plane(out, c)).as("channel %d", c).isNotEqualTo(plane(rgb, c));
    }
  }

  @ParameterizedTest
  @MethodSource("blurAndGeometric")
  void blurAndGeometricCorruptionsMoveAllChannelsAlike(Corruption corruption) {
    final byte[] gray = image(0);

    final byte[] out = corruption.apply(rgbOf(gray, gray, gray), RGB, 4, 9);

    assertThat(plane(out, 1)).isEqualTo(plane(out, 0));
    assertThat(plane(out, 2)).isEqualTo(plane(out, 0));
  }

  @Test
  void noiseIsDrawnForEachChannel() {
    final byte[] gray = image(0);

    final byte[] out = Corruptions.GAUSSIAN_NOISE.apply(rgbOf(gray, gray, gray), RGB, 3, 9);

    assertThat(plane(out, 1)).isNotEqualTo(plane(out, 0));
  }

  @Test
  void registryFindsNamesAndAliasesCaseInsensitively() {
    final CorruptionRegistry registry = CorruptionRegistry.standard();

    assertThat(registry.require("Gaussian_Noise")).isSameAs(Corruptions.GAUSSIAN_NOISE);
    assertThat(registry.require("jpeg")).isSameAs(Corruptions.JPEG_COMPRESSION);
    assertThat(registry.require("zoom")).isSameAs(Corruptions.SCALE);
    assertThat(registry.names()).startsWith("clean", "gaussian_noise").doesNotContain("jpeg");
  }

  @Test
  void registryRejectsAnUnknownNameListingTheValidOnes() {
    assertThatThrownBy(() -> CorruptionRegistry.standard().require("gausian_noise"))
        .hasMessageStartingWith("unknown corruption 'gausian_noise' (valid: clean, "
            + "gaussian_noise, shot_noise,")
        .hasMessageEndingWith("shear)");
  }

  @Test
  void registryTakesCustomCorruptionsUnderFreeNames() {
    final CorruptionRegistry more = CorruptionRegistry.standard()
        .with(new StandardCorruption("invert", Family.DIGITAL, false,
            Corruptions.CONTRAST.parameters(), (image, level, random) -> image));

    assertThat(more.find("invert")).isPresent();
    assertThat(CorruptionRegistry.standard().find("invert")).isEmpty();
    assertThatThrownBy(() -> more.with(Corruptions.FOG))
        .hasMessage("corruption name 'fog' is already taken");
  }

  private static byte[] image(int index) {
    final byte[] image = new byte[GRAY.size()];
    IMAGES.copyImage(index, image, 0);
    return image;
  }

  private static byte[] rgbOf(byte[] red, byte[] green, byte[] blue) {
    final byte[] rgb = new byte[RGB.size()];
    System.arraycopy(red, 0, rgb, 0, red.length);
    System.arraycopy(green, 0, rgb, RGB.plane(), green.length);
    System.arraycopy(blue, 0, rgb, 2 * RGB.plane(), blue.length);
    return rgb;
  }

  private static byte[] plane(byte[] rgb, int channel) {
    return Arrays.copyOfRange(rgb, channel * RGB.plane(), (channel + 1) * RGB.plane());
  }
}
