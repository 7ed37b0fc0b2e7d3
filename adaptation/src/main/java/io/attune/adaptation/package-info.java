/**
 * Attune's pure library: data readers, ONNX model bundles and runtime, adaptation methods and
 * drift signals. Nothing here imports Kafka or Avro; the topology and the edge SDK map their
 * records onto these types.
 */
package io.attune.adaptation;
