/**
 * Image corruptions at five severities, deterministic for a seed: the noise, blur, weather and
 * digital families of CIFAR-10-C (Hendrycks and Dietterich, 2019) and the geometric shifts of
 * MNIST-C (Mu and Gilmer, 2019), tuned so that the reference Fashion-MNIST model's accuracy falls
 * with every severity step.
 *
 * <p>{@link io.attune.simulators.corruption.Corruption} is the contract (any 8-bit CHW image);
 * {@link io.attune.simulators.corruption.Corruptions} holds the built-ins and
 * {@link io.attune.simulators.corruption.CorruptionRegistry} finds them by name for schedules.
 * {@link io.attune.simulators.corruption.Seeds} derives each image's seed from a stream seed and
 * its position, so results do not depend on batching or threads. The operations themselves are
 * package-private.
 */
package io.attune.simulators.corruption;
