package io.attune.edge;

import java.util.Optional;

/**
 * What {@link EdgeModel#apply} did with an update.
 *
 * @param reason why it was refused; empty when it was applied
 * @param updateVersion the update's version ({@code -1} when it did not decode)
 * @param heldVersion the version the device holds afterwards
 * @param detail one line naming what was checked and the values, e.g.
 *     {@code "version 3 is not newer than 5"}
 */
public record UpdateResult(Optional<RejectReason> reason, long updateVersion, long heldVersion,
    String detail) {

  public static UpdateResult applied(long version) {
    return new UpdateResult(Optional.empty(), version, version, "applied version " + version);
  }

  public static UpdateResult rejected(RejectReason reason, long updateVersion, long heldVersion,
      String detail) {
    return new UpdateResult(Optional.of(reason), updateVersion, heldVersion, detail);
  }

  /** Whether the update now drives predictions. */
  public boolean accepted() {
    return reason.isEmpty();
  }
}
