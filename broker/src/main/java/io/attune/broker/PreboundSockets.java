package io.attune.broker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.server.ServerSocketFactory;

/**
 * Listener sockets bound before Kafka starts, handed to Kafka's socket servers when they open
 * their listeners. Binding first makes port 0 mean a free port without a race (the controller's
 * address goes into the quorum configuration before its server exists) and makes a taken port
 * fail before anything runs. Kafka's socket servers close the channels they took on shutdown.
 */
final class PreboundSockets implements ServerSocketFactory {

  // Kafka's default socket.listen.backlog.size.
  private static final int BACKLOG = 50;

  private final Map<String, ServerSocketChannel> byListener;

  private PreboundSockets(Map<String, ServerSocketChannel> byListener) {
    this.byListener = byListener;
  }

  /**
   * Binds one socket per listener name on {@code host}, port 0 meaning a free one.
   *
   * @throws IOException naming host and port if one cannot be bound; none stays bound then
   */
  static PreboundSockets bind(String host, Map<String, Integer> portByListener)
      throws IOException {
    Map<String, ServerSocketChannel> bound = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Integer> listener : portByListener.entrySet()) {
        bound.put(listener.getKey(), open(host, listener.getValue()));
      }
      return new PreboundSockets(bound);
    } catch (IOException e) {
      bound.values().forEach(channel -> Utils.closeQuietly(channel, "listener socket"));
      throw e;
    }
  }

  private static ServerSocketChannel open(String host, int port) throws IOException {
    ServerSocketChannel channel = ServerSocketChannel.open();
    try {
      channel.configureBlocking(false);
      // A fixed port must be reusable at once by the next start, despite connections of the
      // previous broker in TIME_WAIT; a port someone still listens on stays refused.
      channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      channel.bind(new InetSocketAddress(host, port), BACKLOG);
      return channel;
    } catch (IOException e) {
      channel.close();
      throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The port bound for {@code listener}. */
  int port(String listener) {
    return byListener.get(listener).socket().getLocalPort();
  }

  @Override
  public ServerSocketChannel openServerSocket(String listenerName, InetSocketAddress address,
      int listenBacklogSize, int recvBufferSize) throws IOException {
    ServerSocketChannel channel = byListener.get(listenerName);
    if (channel == null) {
      // Not bound here (none is, today: EmbeddedKafka owns the listeners key): Kafka's way.
      return ServerSocketFactory.INSTANCE.openServerSocket(listenerName, address,
          listenBacklogSize, recvBufferSize);
    }
    return channel;
  }

  /** Closes every socket; the ones Kafka already closed are left as they are. */
  void close() {
    byListener.values().forEach(channel -> Utils.closeQuietly(channel, "listener socket"));
  }
}
