package io.attune.simulators.corruption;

/**
 * Derives the seed of one image from a stream seed and the image's position, so that what an
 * image looks like depends on nothing else: not on batch boundaries, thread count or the order
 * images are processed in.
 */
public final class Seeds {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Seeds() {}

  /**
   * The seed of image {@code index} of a stream seeded with {@code seed}.
   *
   * <p>Both inputs go through SplitMix64's finalizer: {@code new SplittableRandom(s)} and
   * {@code new SplittableRandom(s + GOLDEN)} produce the same sequence shifted by one draw, so
   * seeds of neighbouring images must not differ by a fixed step.
   */
  public static long forImage(long seed, long index) {
    return mix(mix(seed ^ GOLDEN) + index * 0xD1B54A32D192ED03L);
  }

  /** A seed for a purpose other than corrupting images, e.g. ordering a domain's samples. */
  public static long forPurpose(long seed, String purpose, long index) {
    return forImage(mix(seed + purpose.hashCode() * GOLDEN), index);
  }

  /** SplitMix64's output function (Steele, Lea and Flood, 2014). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
