/**
 * Getting shifted streams out of the JVM: {@link io.attune.simulators.export.ShiftExport} writes
 * them as IDX or NPY files that adaptation's readers and NumPy read back, with a
 * {@code schedule.json}; {@link io.attune.simulators.export.ShiftGallery} draws what the
 * corruptions look like.
 */
package io.attune.simulators.export;
