package io.attune.adaptation.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The per-phase Convs against the adjoint of a convolution written out as loops: for each
 * output pixel and tap, dY's value times the weight is scattered onto the input pixel the tap
 * read. Geometries cover odd input sizes (the trimming Slice), a kernel smaller than its
 * stride (phases no tap reaches), stride 3, uneven pads, groups and two convolutions
 * sharing their input.
 */
class PhaseConvolutionsTest {

  /** A 2-D convolution's geometry; pads {top, left, bottom, right}. */
  record Geometry(int cout, int cin, int group, int kh, int kw, int stride, int[] pads, int h,
      int w) {
    int outH() {
      return (h + pads[0] + pads[2] - kh) / stride + 1;
    }

    int outW() {
      return (w + pads[1] + pads[3] - kw) / stride + 1;
    }

    NodeProto node(String x, String weights, String y) {
      return Graph.node("Conv", y, List.of(x, weights), List.of(y),
          Attrs.ints("kernel_shape", kh, kw), Attrs.ints("strides", stride, stride),
          Attrs.ints("pads", pads[0], pads[1], pads[2], pads[3]), Attrs.i("group", group));
    }

    Window window(int batch) {
      return Window.of(node("x", "w", "y"), new long[] {kh, kw},
          new long[] {batch, cin, h, w}, new long[] {batch, cout, outH(), outW()});
    }
  }

  static Stream<Arguments> geometries() {
    return Stream.of(
        Arguments.of("3x3 stride 2 pad 1, even input", new Geometry(5, 3, 1, 3, 3, 2,
            new int[] {1, 1, 1, 1}, 8, 8)),
        Arguments.of("3x3 stride 2 pad 1, odd input", new Geometry(4, 3, 1, 3, 3, 2,
            new int[] {1, 1, 1, 1}, 7, 9)),
        Arguments.of("1x1 stride 2, odd input: phases no tap reaches", new Geometry(4, 3, 1, 1,
            1, 2, new int[] {0, 0, 0, 0}, 7, 7)),
        Arguments.of("5x3 stride 3, uneven pads", new Geometry(3, 2, 1, 5, 3, 3,
            new int[] {2, 0, 1, 2}, 10, 11)),
        Arguments.of("4x4 stride 2 pad 1", new Geometry(2, 3, 1, 4, 4, 2,
            new int[] {1, 1, 1, 1}, 6, 6)),
        Arguments.of("depthwise 3x3 stride 2", new Geometry(6, 1, 6, 3, 3, 2,
            new int[] {1, 1, 1, 1}, 9, 8)),
        Arguments.of("2 groups, 3x3 stride 2, no pad", new Geometry(4, 3, 2, 3, 3, 2,
            new int[] {0, 0, 0, 0}, 9, 9)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("geometries")
  void phaseConvolutionsComputeTheConvolutionsInputGradient(String name, Geometry g)
      throws OrtException {
    Random random = new Random(11);
    int batch = 2;
    float[] w = gaussian(random, g.cout() * g.cin() * g.kh() * g.kw());
    float[] dy = gaussian(random, batch * g.cout() * g.outH() * g.outW());
    Window window = g.window(batch);
    assertThat(PhaseConvolutions.supports(List.of(window))).isTrue();
    Emitter e = new Emitter("test", new HashSet<>(List.of("dy")), 17);
    String dx = PhaseConvolutions.emit(e, List.of(new PhaseConvolutions.Term("dy", w,
        new long[] {g.cout(), g.cin(), g.kh(), g.kw()}, g.group(), window)));
    float[] actual = run(e, dx, new long[] {batch, g.cin() * g.group(), g.h(), g.w()},
        Map.of("dy", dy), Map.of("dy",
        new long[] {batch, g.cout(), g.outH(), g.outW()}));
    float[] expected = adjoint(g, w, dy, batch);
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("dx[%d]", i).isCloseTo(expected[i],
          org.assertj.core.data.Offset.offset(1e-4f));
    }
  }

  @Test
  void aStridedConvolutionAndItsShortcutAddTheirPhasesIntoOneGradient() throws OrtException {
    Random random = new Random(12);
    int batch = 3;
    Geometry wide = new Geometry(4, 3, 1, 3, 3, 2, new int[] {1, 1, 1, 1}, 7, 7);
    Geometry point = new Geometry(4, 3, 1, 1, 1, 2, new int[] {0, 0, 0, 0}, 7, 7);
    float[] ww = gaussian(random, 4 * 3 * 9);
    float[] pw = gaussian(random, 4 * 3);
    float[] dyWide = gaussian(random, batch * 4 * 4 * 4);
    float[] dyPoint = gaussian(random, batch * 4 * 4 * 4);
    List<Window> windows = List.of(wide.window(batch), point.window(batch));
    assertThat(PhaseConvolutions.supports(windows)).isTrue();
    Emitter e = new Emitter("test", new HashSet<>(List.of("a", "b")), 17);
    String dx = PhaseConvolutions.emit(e, List.of(
        new PhaseConvolutions.Term("a", ww, new long[] {4, 3, 3, 3}, 1, windows.get(0)),
        new PhaseConvolutions.Term("b", pw, new long[] {4, 3, 1, 1}, 1, windows.get(1))));
    long[] shape = {batch, 4, 4, 4};
    float[] actual = run(e, dx, new long[] {batch, 3, 7, 7}, Map.of("a", dyWide, "b", dyPoint),
        Map.of("a", shape, "b", shape));
    float[] expected = adjoint(wide, ww, dyWide, batch);
    float[] shortcut = adjoint(point, pw, dyPoint, batch);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("dx[%d]", i).isCloseTo(expected[i] + shortcut[i],
          org.assertj.core.data.Offset.offset(1e-4f));
    }
  }

  @Test
  void unequalStridesAndDilationsAreLeftToConvTranspose() {
    NodeProto unequal = Graph.node("Conv", "c", List.of("x", "w"), List.of("y"),
        Attrs.ints("kernel_shape", 3, 3), Attrs.ints("strides", 2, 1));
    NodeProto dilated = Graph.node("Conv", "c", List.of("x", "w"), List.of("y"),
        Attrs.ints("kernel_shape", 3, 3), Attrs.ints("strides", 2, 2),
        Attrs.ints("dilations", 2, 2));
    assertThat(PhaseConvolutions.supports(List.of(Window.of(unequal, new long[] {3, 3},
        new long[] {1, 1, 8, 8}, new long[] {1, 1, 3, 6})))).isFalse();
    assertThat(PhaseConvolutions.supports(List.of(Window.of(dilated, new long[] {3, 3},
        new long[] {1, 1, 9, 9}, new long[] {1, 1, 3, 3})))).isFalse();
  }

  /** dX of {@code y = conv(x, w)} given dY, by scattering every tap's product. */
  private static float[] adjoint(Geometry g, float[] w, float[] dy, int batch) {
    int coutPerGroup = g.cout() / g.group();
    float[] dx = new float[batch * g.cin() * g.group() * g.h() * g.w()];
    int cinTotal = g.cin() * g.group();
    for (int n = 0; n < batch; n++) {
      for (int o = 0; o < g.cout(); o++) {
        int group = o / coutPerGroup;
        for (int oh = 0; oh < g.outH(); oh++) {
          for (int ow = 0; ow < g.outW(); ow++) {
            float d = dy[((n * g.cout() + o) * g.outH() + oh) * g.outW() + ow];
            for (int c = 0; c < g.cin(); c++) {
              for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++) {
                  int ih = oh * g.stride() + i - g.pads()[0];
                  int iw = ow * g.stride() + j - g.pads()[1];
                  if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) {
                    continue;
                  }
                  int channel = group * g.cin() + c;
                  dx[((n * cinTotal + channel) * g.h() + ih) * g.w() + iw] +=
                      d * w[((o * g.cin() + c) * g.kh() + i) * g.kw() + j];
                }
              }
            }
          }
        }
      }
    }
    return dx;
  }

  private static float[] run(Emitter e, String output, long[] outputDims,
      Map<String, float[]> inputs,
      Map<String, long[]> shapes) throws OrtException {
    GraphProto.Builder graph = GraphProto.newBuilder().setName("phases")
        .addAllNode(e.nodes()).addAllInitializer(e.constants())
        .addOutput(Graph.floatValue(output, outputDims));
    for (String name : inputs.keySet()) {
      graph.addInput(Graph.floatValue(name, shapes.get(name)));
    }
    ModelProto model = ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17))
        .setGraph(graph).build();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    List<OnnxTensor> tensors = new ArrayList<>();
    try (OrtSession session = env.createSession(model.toByteArray())) {
      Map<String, OnnxTensor> feed = new HashMap<>();
      for (Map.Entry<String, float[]> in : inputs.entrySet()) {
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(in.getValue()),
            shapes.get(in.getKey()));
        tensors.add(t);
        feed.put(in.getKey(), t);
      }
      try (OrtSession.Result result = session.run(feed)) {
        FloatBuffer b = ((OnnxTensor) result.get(0)).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
      }
    } finally {
      tensors.forEach(OnnxTensor::close);
    }
  }

  private static float[] gaussian(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }
}
