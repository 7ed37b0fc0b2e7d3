package io.attune.simulators.corruption;

/** The kinds of shift the corruptions model, as CIFAR-10-C and MNIST-C group them. */
public enum Family {
  /** No shift: the clean image. */
  NONE,
  /** Sensor noise: gaussian, shot, impulse, speckle. */
  NOISE,
  /** Optics and movement: defocus, motion, gaussian blur. */
  BLUR,
  /** Weather and lighting: fog, brightness. */
  WEATHER,
  /** Processing: contrast, pixelation, JPEG compression, elastic distortion. */
  DIGITAL,
  /** Pose and framing: rotation, translation, scale, shear. */
  GEOMETRIC
}
