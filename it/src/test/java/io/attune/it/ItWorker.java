package io.attune.it;

import io.attune.broker.EmbeddedKafka;
import io.attune.schemas.signing.KeyFileException;
import io.attune.schemas.signing.SigningKeys;
import io.attune.topology.WorkerConfig;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the integration tests' workers share: a signing key and the properties all set alike. */
final class ItWorker {

  private ItWorker() {}

  /** A fresh key pair, written as {@code dir/worker.key} and {@code dir/worker.key.pub}. */
  static KeyPair writeSigningKeys(Path dir) throws KeyFileException {
    KeyPair keys = SigningKeys.generate();
    SigningKeys.writePrivateKey(dir.resolve("worker.key"), keys.getPrivate());
    SigningKeys.writePublicKey(dir.resolve("worker.key.pub"), keys.getPublic());
    return keys;
  }

  /**
   * A worker on {@code broker} signing with {@code dir/worker.key}, its state in
   * {@code dir/stateDir}, topics of two partitions and its HTTP endpoint on a free port;
   * callers add or override the rest.
   */
  static Map<String, String> props(EmbeddedKafka broker, Path dir, String appId,
      String stateDir) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put(WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(WorkerConfig.APPLICATION_ID_CONFIG, appId);
    props.put(WorkerConfig.SIGNING_KEY_FILE_CONFIG, dir.resolve("worker.key").toString());
    props.put(WorkerConfig.STATE_DIR_CONFIG, dir.resolve(stateDir).toString());
    props.put(WorkerConfig.HTTP_PORT_CONFIG, "0");
    props.put(WorkerConfig.TOPIC_PARTITIONS_CONFIG, "2");
    return props;
  }
}
