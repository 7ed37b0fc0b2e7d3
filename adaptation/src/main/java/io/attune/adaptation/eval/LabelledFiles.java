package io.attune.adaptation.eval;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.DType;
import io.attune.adaptation.data.MalformedDataException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A labelled stream read from files, batch by batch: images (IDX or .npy; uint8 pixels are
 * normalized with the bundle's preprocessing, float32 taken as already normalized), labels,
 * and optionally a domain index per sample (as {@code attune simulate export} writes).
 */
public final class LabelledFiles implements Iterable<StreamEvaluation.LabelledBatch>, Closeable {

  private final ArrayReader images;
  private final ArrayReader labels;
  private final int[] domains;
  private final BundleManifest manifest;
  private final int batch;
  private final boolean cutAtDomains;
  private int position;

  private LabelledFiles(ArrayReader images, ArrayReader labels, int[] domains,
      BundleManifest manifest, int batch, boolean cutAtDomains) {
    this.cutAtDomains = cutAtDomains;
    this.images = images;
    this.labels = labels;
    this.domains = domains;
    this.manifest = manifest;
    this.batch = batch;
  }

  /**
   * Opens the files and checks that they fit the model and each other.
   *
   * @param domainFile domain index per sample, or null for a single domain
   * @param cutAtDomains end a batch where the domain changes (for per-domain resets); off for
   *     streams whose domains interleave within batches
   * @throws MalformedDataException naming the file whose shape or count does not fit
   */
  public static LabelledFiles open(Path imageFile, Path labelFile, Path domainFile,
      BundleManifest manifest, int batch, boolean cutAtDomains) throws IOException {
    ArrayReader images = ArrayReader.open(imageFile);
    ArrayReader labels = null;
    try {
      int sampleSize = manifest.inputShape().stream().mapToInt(Integer::intValue)
          .reduce(1, Math::multiplyExact);
      if (images.itemElements() != sampleSize) {
        throw new MalformedDataException(imageFile, "images of shape " + images.shape()
            + " do not fit the model's input " + manifest.inputShape());
      }
      if (images.dtype() != DType.UINT8 && images.dtype() != DType.FLOAT32) {
        throw new MalformedDataException(imageFile, "images must be uint8 pixels or float32 "
            + "preprocessed values, got " + images.dtype());
      }
      labels = ArrayReader.open(labelFile);
      checkCount(labelFile, labels, images.itemCount());
      int[] domains = new int[Math.toIntExact(images.itemCount())];
      if (domainFile != null) {
        // Read whole (one int per sample) so that batches can end where a domain ends.
        try (ArrayReader reader = ArrayReader.open(domainFile)) {
          checkCount(domainFile, reader, images.itemCount());
          domains = toInts(reader.readLongs(domains.length));
        }
      }
      return new LabelledFiles(images, labels, domains, manifest, batch, cutAtDomains);
    } catch (IOException | RuntimeException e) {
      closeAll(images, labels);
      throw e;
    }
  }

  public long count() {
    return images.itemCount();
  }

  private static void checkCount(Path file, ArrayReader reader, long expected)
      throws MalformedDataException {
    if (reader.itemCount() != expected || reader.itemElements() != 1) {
      throw new MalformedDataException(file, "expected " + expected + " values, one per image, "
          + "got shape " + reader.shape());
    }
  }

  @Override
  public Iterator<StreamEvaluation.LabelledBatch> iterator() {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return images.hasNext();
      }

      @Override
      public StreamEvaluation.LabelledBatch next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        try {
          return read();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  /** The next batch, cut short where the domain changes so that no batch mixes two. */
  private StreamEvaluation.LabelledBatch read() throws IOException {
    int want = (int) Math.min(batch, images.remaining());
    for (int i = 1; cutAtDomains && i < want; i++) {
      if (domains[position + i] != domains[position]) {
        want = i;
        break;
      }
    }
    float[] inputs;
    int n;
    if (images.dtype() == DType.UINT8) {
      byte[] pixels = images.readBytes(want);
      n = pixels.length / images.itemElements();
      inputs = manifest.preprocess(pixels, n);
    } else {
      inputs = images.readFloats(want);
      n = inputs.length / images.itemElements();
    }
    int[] y = toInts(labels.readLongs(n));
    int[] d = java.util.Arrays.copyOfRange(domains, position, position + n);
    position += n;
    return new StreamEvaluation.LabelledBatch(inputs, y, d);
  }

  private static int[] toInts(long[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Math.toIntExact(values[i]);
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    closeAll(images, labels);
  }

  private static void closeAll(ArrayReader... readers) throws IOException {
    IOException first = null;
    for (ArrayReader r : readers) {
      if (r == null) {
        continue;
      }
      try {
        r.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
