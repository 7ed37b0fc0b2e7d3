package io.attune.adaptation.data;

/** Whether a writer compresses its output. Readers need no such flag: they sniff gzip's magic. */
public enum Compression {
  /** Plain bytes, the size a header promises can be checked against the file size. */
  NONE,
  /** One gzip member, as the MNIST and Fashion-MNIST files are distributed. */
  GZIP
}
