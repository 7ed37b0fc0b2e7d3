/**
 * Streaming readers and writers for the array files Attune ships and exports: IDX (the MNIST and
 * Fashion-MNIST format, plain or gzipped) and NumPy {@code .npy} (versions 1.0, 2.0 and 3.0).
 *
 * <p>{@link io.attune.adaptation.data.ArrayReader#open(java.nio.file.Path)} detects the format
 * (and gzip) from the magic bytes, never from the file name. A reader hands out items (slices
 * along the first axis) in batches, so a 10k-image stream is iterated without holding it; the
 * {@code readAll*} methods load what is left into a {@link io.attune.adaptation.data.ByteData},
 * {@link io.attune.adaptation.data.FloatData} or {@link io.attune.adaptation.data.LongData}.
 * {@link io.attune.adaptation.data.LabeledReader} pairs an images file with a labels file and
 * checks their counts.
 *
 * <p>Every malformed file (bad magic, unknown element type, truncated header or data, trailing
 * bytes, negative or absurd dimensions) is reported as a
 * {@link io.attune.adaptation.data.MalformedDataException} whose message names the file and the
 * numbers; no {@code EOFException} or array exception escapes raw. Readers never allocate from
 * an unverified header more than a bounded chunk beyond the data actually present.
 */
package io.attune.adaptation.data;
