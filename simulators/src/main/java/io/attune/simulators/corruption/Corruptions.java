package io.attune.simulators.corruption;

import java.util.List;

/**
 * The built-in corruptions: CIFAR-10-C's noise, blur, weather and digital families (Hendrycks and
 * Dietterich, 2019) and MNIST-C's geometric ones (Mu and Gilmer, 2019), with severities tuned so
 * that the reference Fashion-MNIST model's accuracy falls with every step (see
 * {@code docs/shifts.md} for the measured table). Parameters are on pixel values scaled to
 * [0, 1]; lengths are in pixels of the image as given.
 */
public final class Corruptions {

  /** No corruption; accepts severity 0 as well, for schedules that mix in clean data. */
  public static final Corruption CLEAN = new StandardCorruption("clean", Family.NONE, false,
      List.of(), (image, level, random) -> image);

  /** {@code x + N(0, sigma)}. */
  public static final Corruption GAUSSIAN_NOISE = new StandardCorruption("gaussian_noise",
      Family.NOISE, true, List.of(Parameter.of("sigma", 0.04, 0.06, 0.08, 0.11, 0.14)),
      Noise::gaussian);

  /** {@code Poisson(x * photons) / photons}. */
  public static final Corruption SHOT_NOISE = new StandardCorruption("shot_noise", Family.NOISE,
      true, List.of(Parameter.of("photons at white", 250, 100, 40, 12, 4)), Noise::shot);

  /** Salt and pepper on a share of the pixels. */
  public static final Corruption IMPULSE_NOISE = new StandardCorruption("impulse_noise",
      Family.NOISE, true, List.of(Parameter.of("share of pixels", 0.02, 0.035, 0.05, 0.07, 0.1)),
      Noise::impulse);

  /** {@code x + x * N(0, sigma)}. */
  public static final Corruption SPECKLE_NOISE = new StandardCorruption("speckle_noise",
      Family.NOISE, true, List.of(Parameter.of("sigma", 0.06, 0.12, 0.2, 0.35, 0.6)),
      Noise::speckle);

  /** Convolution with an anti-aliased disk. */
  public static final Corruption DEFOCUS_BLUR = new StandardCorruption("defocus_blur",
      Family.BLUR, false, List.of(Parameter.of("disk radius (px)", 1, 1.5, 2, 2.5, 3)),
      Blur::defocus);

  /** Convolution with a line at a random angle. */
  public static final Corruption MOTION_BLUR = new StandardCorruption("motion_blur", Family.BLUR,
      true, List.of(Parameter.of("line length (px)", 2, 3, 4.5, 6, 8)), Blur::motion);

  /** Convolution with a gaussian. */
  public static final Corruption GAUSSIAN_BLUR = new StandardCorruption("gaussian_blur",
      Family.BLUR, false, List.of(Parameter.of("sigma (px)", 0.5, 0.75, 1, 1.25, 1.5)),
      Blur::gaussian);

  /** Pixel values pulled towards the image mean. */
  public static final Corruption CONTRAST = new StandardCorruption("contrast", Family.DIGITAL,
      false, List.of(Parameter.of("factor", 0.92, 0.88, 0.84, 0.78, 0.68)), Tone::contrast);

  /** A constant added to every pixel. */
  public static final Corruption BRIGHTNESS = new StandardCorruption("brightness",
      Family.WEATHER, false, List.of(Parameter.of("shift", 0.025, 0.03, 0.04, 0.05, 0.07)),
      Tone::brightness);

  /** A plasma-fractal haze. */
  public static final Corruption FOG = new StandardCorruption("fog", Family.WEATHER, true,
      List.of(Parameter.of("strength", 0.05, 0.07, 0.1, 0.15, 0.25),
          Parameter.of("decay", 3, 3, 2.5, 2, 1.75)), Tone::fog);

  /** Area-averaged down, nearest-neighbour up. */
  public static final Corruption PIXELATE = new StandardCorruption("pixelate", Family.DIGITAL,
      false, List.of(Parameter.of("scale", 0.7, 0.55, 0.4, 0.3, 0.2)), Digital::pixelate);

  /** Encoded and decoded by the JDK's JPEG codec. */
  public static final Corruption JPEG_COMPRESSION = new StandardCorruption("jpeg_compression",
      Family.DIGITAL, false, List.of(Parameter.of("quality", 30, 15, 8, 4, 1)), Digital::jpeg);

  /** A smooth random displacement field. */
  public static final Corruption ELASTIC_TRANSFORM = new StandardCorruption("elastic_transform",
      Family.DIGITAL, true, List.of(Parameter.of("displacement rms (px)", 0.6, 1.0, 1.4, 1.8, 2.2),
          Parameter.of("smoothing sigma (px)", 2.5, 2.5, 2.5, 2.5, 2.5)), Warp::elastic);

  /** Rotation either way round. */
  public static final Corruption ROTATE = new StandardCorruption("rotate", Family.GEOMETRIC, true,
      List.of(Parameter.of("degrees", 8, 12, 16, 20, 25),
          Parameter.of("jitter (degrees)", 2, 2, 2, 2, 2)), Warp::rotate);

  /** Translation in a random direction. */
  public static final Corruption TRANSLATE = new StandardCorruption("translate",
      Family.GEOMETRIC, true, List.of(Parameter.of("distance (px)", 3, 5, 7, 9, 11)),
      Warp::translate);

  /** Zoom in or out about the centre. */
  public static final Corruption SCALE = new StandardCorruption("scale", Family.GEOMETRIC, true,
      List.of(Parameter.of("zoom factor (in, or out by its inverse)", 1.1, 1.2, 1.3, 1.45, 1.6)),
      Warp::scale);

  /** Shear along a random axis. */
  public static final Corruption SHEAR = new StandardCorruption("shear", Family.GEOMETRIC, true,
      List.of(Parameter.of("shear factor", 0.1, 0.2, 0.3, 0.4, 0.5)), Warp::shear);

  private static final List<Corruption> SHIFTS = List.of(GAUSSIAN_NOISE, SHOT_NOISE,
      IMPULSE_NOISE, SPECKLE_NOISE, DEFOCUS_BLUR, MOTION_BLUR, GAUSSIAN_BLUR, CONTRAST,
      BRIGHTNESS, FOG, PIXELATE, JPEG_COMPRESSION, ELASTIC_TRANSFORM, ROTATE, TRANSLATE, SCALE,
      SHEAR);

  private Corruptions() {}

  /** Every built-in corruption except {@link #CLEAN}, noise first, geometric last. */
  public static List<Corruption> shifts() {
    return SHIFTS;
  }
}
