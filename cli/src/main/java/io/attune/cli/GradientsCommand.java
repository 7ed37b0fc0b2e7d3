package io.attune.cli;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.FloatData;
import io.attune.adaptation.data.MalformedDataException;
import io.attune.adaptation.data.NpyWriter;
import io.attune.adaptation.data.Shape;
import io.attune.adaptation.method.Entropy;
import io.attune.adaptation.runtime.AdaptationStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code attune gradients}: TENT's gradients for a batch, to check a bundle against another framework. */
@Command(
    name = "gradients",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Write TENT's gradients for one batch, to compare a bundle with your framework.",
    description = {
      "",
      "Runs the adaptation forward with batch statistics (alpha 0) on the images, takes the "
          + "mean prediction entropy as the loss, and writes its gradient with respect to every "
          + "normalization scale and bias as <initializer name>.npy, plus logits.npy and "
          + "loss.txt. The images are float32, already preprocessed, N x C x H x W.",
      ""
    },
    footer = {"", "Example:", "  ./attune gradients --bundle /tmp/bundle --images x.npy --out /tmp/grads"})
final class GradientsCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "Model bundle.")
  private Path bundleDir;

  @Option(names = "--images", required = true, paramLabel = "X.npy",
      description = "Preprocessed float32 images, N x C x H x W.")
  private Path images;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write.")
  private Path out;

  @Option(names = "--alpha", defaultValue = "0", paramLabel = "A",
      description = "Weight of the source statistics (default: ${DEFAULT-VALUE}, TENT).")
  private float alpha;

  @Override
  public Integer call() throws Exception {
    ModelBundle bundle = ModelBundle.open(bundleDir);
    FloatData x = ArrayReader.loadFloats(images);
    long[] sample = bundle.sampleShape();
    int[] dims = x.shape().dims();
    if (dims.length != sample.length + 1 || !Arrays.equals(
        Arrays.stream(dims).skip(1).asLongStream().toArray(), sample)) {
      throw new MalformedDataException(images, "images of shape " + x.shape()
          + " do not fit the model's input N x " + Arrays.toString(sample));
    }
    int n = dims[0];
    int fixed = bundle.manifest().fixedBatch();
    if (fixed > 0 && n != fixed) {
      throw new MalformedDataException(images, n + " images, but the model was exported with a "
          + "fixed batch of " + fixed + "; give exactly " + fixed);
    }
    int classes = bundle.manifest().head().classes();
    Files.createDirectories(out);
    try (AdaptationStep step = bundle.openStep(1);
        AdaptationStep.Forward fwd = step.forward(x.data(), n, Map.of(), alpha)) {
      float[] logits = fwd.logits();
      Map<String, float[]> grads = step.backward(fwd,
          Entropy.meanGradient(logits, n, classes), null);
      for (Map.Entry<String, float[]> g : grads.entrySet()) {
        NpyWriter.write(out.resolve(g.getKey().replace('/', '_') + ".npy"),
            new FloatData(Shape.of(g.getValue().length), g.getValue()));
      }
      NpyWriter.write(out.resolve("logits.npy"), new FloatData(Shape.of(n, classes), logits));
      float[] h = Entropy.perSample(logits, n, classes);
      double loss = 0;
      for (float v : h) {
        loss += v / n;
      }
      Files.writeString(out.resolve("loss.txt"), loss + "\n");
      spec.commandLine().getOut().printf("mean entropy %.6f over %d images; %d gradients in %s%n",
          loss, n, grads.size(), out);
    }
    return 0;
  }
}
