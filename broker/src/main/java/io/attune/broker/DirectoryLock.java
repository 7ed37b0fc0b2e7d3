package io.attune.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second broker, in this JVM or another process, off a log directory in use. Kafka
 * locks its log directories only when the broker part starts, after the controller part has
 * written to the metadata log there: a second broker on the same directory corrupts the first
 * one's metadata log (seen as a CorruptRecordException in the first one's raft thread).
 */
final class DirectoryLock {

  static final String FILE_NAME = ".attune-embedded.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code directory} for this broker.
   *
   * @throws IOException if another broker holds it, or the lock file cannot be written
   */
  static DirectoryLock acquire(Path directory) throws IOException {
    FileChannel channel = FileChannel.open(directory.resolve(FILE_NAME),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = null;
    try {
      lock = channel.tryLock(); // null: another process holds it
    } catch (OverlappingFileLockException e) {
      // Another instance in this JVM holds it: the same answer as another process's.
    } finally {
      if (lock == null) {
        channel.close();
      }
    }
    if (lock == null) {
      throw new IOException("log directory " + directory + " is in use by another running broker");
    }
    return new DirectoryLock(channel, lock);
  }

  void release() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot release the lock file " + FILE_NAME, e);
    }
  }
}
