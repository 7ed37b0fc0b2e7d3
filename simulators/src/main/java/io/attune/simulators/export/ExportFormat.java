package io.attune.simulators.export;

import io.attune.adaptation.data.Compression;
import io.attune.adaptation.data.DType;
import io.attune.adaptation.data.IdxWriter;
import io.attune.adaptation.data.NpyWriter;
import io.attune.adaptation.data.ArrayWriter;
import io.attune.adaptation.data.Shape;
import java.io.IOException;
import java.nio.file.Path;

/** The array formats a stream is exported in; both read back with {@code ArrayReader}. */
public enum ExportFormat {
  /** Gzipped IDX, as Fashion-MNIST is distributed: {@code images.idx.gz}. */
  IDX(".idx.gz"),
  /** NumPy {@code .npy}, uncompressed so that {@code np.load} reads it: {@code images.npy}. */
  NPY(".npy");

  private final String suffix;

  ExportFormat(String suffix) {
    this.suffix = suffix;
  }

  /** The file name of an array, e.g. {@code labels.idx.gz}. */
  public String fileName(String array) {
    return array + suffix;
  }

  ArrayWriter create(Path file, DType dtype, Shape shape) throws IOException {
    return this == IDX ? IdxWriter.create(file, dtype, shape, Compression.GZIP)
        : NpyWriter.create(file, dtype, shape);
  }
}
