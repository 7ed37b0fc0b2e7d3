package io.attune.adaptation.onnx.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The input gradient of strided 2-D convolutions without ConvTranspose, which ONNX Runtime's
 * CPU provider runs several times slower than a Conv of the same arithmetic (it multiplies
 * into columns and scatters them back, one image at a time).
 *
 * <p>For a convolution with stride s, kernel K, padding p (dilation 1), along one axis
 * {@code y[o] = sum_k w[k] x[s*o + k - p]}, so the gradient of the input pixel
 * {@code i = s*m + r} (phase {@code r} in {@code [0, s)}) is
 * {@code dx[s*m + r] = sum_{k = r + p (mod s)} w[k] dy[m + (r + p - k)/s]}: for each phase a
 * stride-1 correlation of dY with the taps that reach it. In 2-D the s*s phases are s*s small
 * stride-1 Convs of dY (for a 3x3 stride-2 kernel: 1x1, 1x2, 2x1 and 2x2, nine taps in all,
 * the forward's own count, where one ConvTranspose-equivalent Conv on dY spread with zeros
 * would do 36), interleaved into the input's grid by Concats on trailing unit axes and free
 * Reshapes (each row of phases {@code [N,C,M,M,s] -> [N,C,M,1,s*M]}, then the rows
 * {@code [N,C,M,s,s*M] -> [N,C,s*M,s*M]}), which puts phase {@code (rh, rw)}'s pixel {@code (m, n)} at
 * {@code (s*m + rh, s*n + rw)} (DepthToSpace does the same and measured several times slower: a
 * single-threaded six-axis transpose); a Slice trims the last row and column when the input
 * size is not a multiple of s. Several convolutions reading the same input (a block's strided
 * convolution and its projection shortcut) add their phase outputs before the one
 * interleave. Grouped kernels keep their groups: each phase's Conv has the same group count,
 * with the kernel's channel axes swapped per group.
 */
final class PhaseConvolutions {

  /**
   * One convolution's share of the gradient.
   *
   * @param dy the gradient of its output
   * @param weights its constant kernel, {@code [Cout, Cin/group, kh, kw]}, row-major
   * @param dims the kernel's dims
   */
  record Term(String dy, float[] weights, long[] dims, long group, Window window) {}

  /** The taps of one phase along one axis: kernel index of each offset from {@code lo}. */
  private record Taps(long lo, int[] kernelIndex, long padBegin, long padEnd) {
    int length() {
      return kernelIndex.length;
    }
  }

  private PhaseConvolutions() {}

  /**
   * Whether {@link #emit} can express the gradient of convolutions with these windows: 2-D,
   * dilation 1, the same stride (above 1) on both axes and the same input and stride for all.
   */
  static boolean supports(List<Window> windows) {
    Window first = windows.get(0);
    for (Window w : windows) {
      if (w.kernel().length != 2 || !w.hasUnitDilation() || w.strides()[0] != w.strides()[1]
          || w.strides()[0] < 2 || !Arrays.equals(w.strides(), first.strides())
          || !Arrays.equals(w.in(), first.in())) {
        return false;
      }
      for (int axis = 0; axis < 2; axis++) {
        for (long r = 0; r < w.strides()[axis]; r++) {
          if (taps(w, axis, r).padEnd() < 0) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** Emits the summed input gradient of the terms; {@link #supports} must hold. */
  static String emit(Emitter e, List<Term> terms) {
    Window first = terms.get(0).window();
    int s = (int) first.strides()[0];
    long c = terms.get(0).dims()[1] * terms.get(0).group();
    long mh = phaseLength(first, 0);
    long mw = phaseLength(first, 1);
    List<String> rows = new ArrayList<>();
    for (int rh = 0; rh < s; rh++) {
      List<String> phases = new ArrayList<>();
      for (int rw = 0; rw < s; rw++) {
        String sum = null;
        for (Term t : terms) {
          Taps th = taps(t.window(), 0, rh);
          Taps tw = taps(t.window(), 1, rw);
          if (th.length() == 0 || tw.length() == 0) {
            continue;
          }
          String conv = phaseConv(e, t, th, tw);
          sum = sum == null ? conv : e.op("Add", sum, conv);
        }
        phases.add(e.reshape(sum != null ? sum : zeroPhase(e, terms.get(0)),
            new long[] {-1, c, mh, mw, 1}));
      }
      rows.add(e.reshape(e.op("Concat", phases, Attrs.i("axis", 4)),
          new long[] {-1, c, mh, 1, s * mw}));
    }
    String grid = e.reshape(e.op("Concat", rows, Attrs.i("axis", 3)),
        new long[] {-1, c, s * mh, s * mw});
    long[] in = first.in();
    if (in[0] % s == 0 && in[1] % s == 0) {
      return grid;
    }
    return e.op("Slice", List.of(grid, e.longs(0, 0), e.longs(in[0], in[1]), e.longs(2, 3)));
  }

  /**
   * The taps reaching phase {@code r} along {@code axis}: offsets {@code t = (r + p - k)/s}
   * into dY, from {@code lo = min(t_min, 0)} (so that the Conv's leading pad is not negative)
   * to {@code t_max}, and the pads that make the Conv's output {@code ceil(in/s)} long.
   */
  private static Taps taps(Window w, int axis, long r) {
    long s = w.strides()[axis];
    long k = w.kernel()[axis];
    long p = w.padsBegin()[axis];
    long lo = 0;
    long hi = Long.MIN_VALUE;
    for (long tap = 0; tap < k; tap++) {
      if (Math.floorMod(r + p - tap, s) == 0) {
        long t = Math.floorDiv(r + p - tap, s);
        lo = Math.min(lo, t);
        hi = Math.max(hi, t);
      }
    }
    if (hi == Long.MIN_VALUE) {
      return new Taps(0, new int[0], 0, phaseLength(w, axis) - w.out()[axis]);
    }
    int[] index = new int[(int) (hi - lo + 1)];
    for (int j = 0; j < index.length; j++) {
      long tap = r + p - s * (lo + j);
      index[j] = tap >= 0 && tap < k ? (int) tap : -1;
    }
    long padBegin = -lo;
    long padEnd = phaseLength(w, axis) - w.out()[axis] - padBegin + index.length - 1;
    return new Taps(lo, index, padBegin, padEnd);
  }

  /** Input pixels of one phase: {@code ceil(in/s)}. */
  private static long phaseLength(Window w, int axis) {
    return Math.floorDiv(w.in()[axis] + w.strides()[axis] - 1, w.strides()[axis]);
  }

  private static String phaseConv(Emitter e, Term t, Taps th, Taps tw) {
    int cout = (int) t.dims()[0];
    int cinPerGroup = (int) t.dims()[1];
    int kh = (int) t.dims()[2];
    int kw = (int) t.dims()[3];
    int group = (int) t.group();
    int coutPerGroup = cout / group;
    int jh = th.length();
    int jw = tw.length();
    float[] phase = new float[cinPerGroup * group * coutPerGroup * jh * jw];
    for (int g = 0; g < group; g++) {
      for (int a = 0; a < cinPerGroup; a++) {
        for (int b = 0; b < coutPerGroup; b++) {
          int src = ((g * coutPerGroup + b) * cinPerGroup + a) * kh * kw;
          int dst = ((g * cinPerGroup + a) * coutPerGroup + b) * jh * jw;
          for (int i = 0; i < jh; i++) {
            for (int j = 0; j < jw; j++) {
              int ki = th.kernelIndex()[i];
              int kj = tw.kernelIndex()[j];
              if (ki >= 0 && kj >= 0) {
                phase[dst + i * jw + j] = t.weights()[src + ki * kw + kj];
              }
            }
          }
        }
      }
    }
    String w = e.floats(new long[] {(long) cinPerGroup * group, coutPerGroup, jh, jw}, phase);
    return e.op("Conv", List.of(t.dy(), w), Attrs.ints("kernel_shape", jh, jw),
        Attrs.ints("pads", th.padBegin(), tw.padBegin(), th.padEnd(), tw.padEnd()),
        Attrs.i("group", group));
  }

  /** A phase no tap reaches (a kernel smaller than its stride): zeros of the phase's shape. */
  private static String zeroPhase(Emitter e, Term t) {
    Window w = t.window();
    long[] pads = {0, 0, phaseLength(w, 0) - w.out()[0], phaseLength(w, 1) - w.out()[1]};
    int cin = (int) (t.dims()[1] * t.group());
    int coutPerGroup = (int) (t.dims()[0] / t.group());
    return e.op("Conv", List.of(t.dy(), e.floats(new long[] {cin, coutPerGroup, 1, 1},
        new float[cin * coutPerGroup])), Attrs.ints("kernel_shape", 1, 1),
        Attrs.ints("pads", pads), Attrs.i("group", t.group()));
  }
}
