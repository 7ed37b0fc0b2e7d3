package io.attune.edge.internal;

import io.attune.edge.RejectReason;

/** An update failed a check; carries the reason and a one-line detail with the values. */
public final class Rejection extends Exception {

  private static final long serialVersionUID = 1L;

  private final RejectReason reason;

  public Rejection(RejectReason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public RejectReason reason() {
    return reason;
  }
}
