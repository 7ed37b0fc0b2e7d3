package io.attune.simulators.corruption;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A built-in corruption: an operation on a {@link Raster} and its parameter table. The operation
 * gets the parameters' values at the requested severity, in table order.
 */
record StandardCorruption(String name, Family family, boolean random, List<Parameter> parameters,
    Op op) implements Corruption {

  /** One corruption's work on one image; may modify {@code image} and return it. */
  @FunctionalInterface
  interface Op {
    Raster apply(Raster image, double[] level, SplittableRandom random);
  }

  StandardCorruption {
    parameters = List.copyOf(parameters);
  }

  @Override
  public void corrupt(byte[] src, int srcOffset, byte[] dst, int dstOffset, ImageShape shape,
      int severity, long imageSeed) {
    checkSeverity(severity);
    checkRange("source", src, srcOffset, shape);
    checkRange("destination", dst, dstOffset, shape);
    final double[] level = new double[parameters.size()];
    for (int i = 0; i < level.length; i++) {
      level[i] = parameters.get(i).at(severity);
    }
    op.apply(Raster.read(src, srcOffset, shape), level, new SplittableRandom(imageSeed))
        .write(dst, dstOffset);
  }

  private void checkSeverity(int severity) {
    final int lowest = family == Family.NONE ? 0 : 1;
    if (severity < lowest || severity > MAX_SEVERITY) {
      throw new IllegalArgumentException("severity of " + name + " must be " + lowest + " to "
          + MAX_SEVERITY + ", got " + severity);
    }
  }

  private static void checkRange(String what, byte[] array, int offset, ImageShape shape) {
    if (offset < 0 || (long) offset + shape.size() > array.length) {
      throw new IllegalArgumentException(what + " image of " + shape + " at offset " + offset
          + " passes the end of an array of " + array.length + " bytes");
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
