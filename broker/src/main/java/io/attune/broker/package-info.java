/**
 * An in-process single-node Kafka broker, {@link io.attune.broker.EmbeddedKafka}, for
 * the embedded demo and the integration tests. Its API names no Kafka server class; everything
 * else in this package is package-private.
 *
 * <p>Logging. Kafka's server logs through SLF4J, about 1,500 INFO lines per start. This module
 * binds no SLF4J backend (a library leaves that to the application). With slf4j-simple, as the
 * {@code attune} command uses, keep {@code org.slf4j.simpleLogger.defaultLogLevel=warn} (the
 * command's {@code simplelogger.properties} does); a start and a close then print two benign
 * WARN lines of Kafka's ("Performing controller activation. The metadata log appears to be
 * empty", "Attempting to close NetworkClient that has already been closed"), which
 * {@code org.slf4j.simpleLogger.log.org.apache.kafka.controller.QuorumController=error} and
 * {@code org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient=error} silence if a
 * demo wants a clean console. With another backend, set the {@code kafka} and
 * {@code org.apache.kafka} loggers to WARN. Kafka's log4j-core arrives on the classpath with the
 * server artifacts but is not an SLF4J backend without log4j-slf4j2-impl, which nothing here adds.
 */
package io.attune.broker;
