package io.attune.cli;

import io.attune.adaptation.method.Methods;
import java.util.Iterator;

/** The method names, for picocli's help and completion. */
final class MethodNames implements Iterable<String> {
  @Override
  public Iterator<String> iterator() {
    return Methods.NAMES.iterator();
  }
}
