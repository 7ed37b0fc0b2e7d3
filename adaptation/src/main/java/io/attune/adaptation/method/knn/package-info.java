/**
 * Nearest-neighbour search by cosine similarity for the feature methods: {@link
 * io.attune.adaptation.method.knn.ExactKnn} (brute force, deterministic, what LAME's batch graph
 * and AdaNPC's bounded memory use) and {@link io.attune.adaptation.method.knn.IvfKnn} (an
 * inverted-file index for large static source memories), with {@link
 * io.attune.adaptation.method.knn.KnnBenchmark} behind {@code attune bench-knn}.
 */
package io.attune.adaptation.method.knn;
