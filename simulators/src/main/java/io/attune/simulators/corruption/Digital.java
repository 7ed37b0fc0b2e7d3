package io.attune.simulators.corruption;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Digital processing: pixelation and JPEG compression. */
final class Digital {

  private Digital() {}

  /**
   * Pixelation: area-averaged down to {@code scale} of the size, then blown back up with nearest
   * neighbours (PIL's BOX resize down and up, as CIFAR-10-C does).
   */
  static Raster pixelate(Raster image, double[] level, SplittableRandom random) {
    final int smallHeight = Math.max(1, (int) Math.round(image.height * level[0]));
    final int smallWidth = Math.max(1, (int) Math.round(image.width * level[0]));
    final double[][] rows = areaWeights(image.height, smallHeight);
    final double[][] columns = areaWeights(image.width, smallWidth);
    final Raster out = image.blank();
    final int plane = image.plane();
    for (int c = 0; c < image.channels; c++) {
      final double[][] small = downsample(image, c, rows, columns);
      for (int y = 0; y < image.height; y++) {
        final int sy = y * smallHeight / image.height;
        for (int x = 0; x < image.width; x++) {
          out.data[c * plane + y * image.width + x] =
              (float) small[sy][x * smallWidth / image.width];
        }
      }
    }
    return out;
  }

  /**
   * JPEG: each channel encoded as a grayscale JPEG at {@code quality} (1 to 100) by the JDK's
   * ImageIO codec and decoded again, in memory.
   */
  static Raster jpeg(Raster image, double[] level, SplittableRandom random) {
    final float quality = (float) (level[0] / 100);
    final int plane = image.plane();
    final BufferedImage gray =
        new BufferedImage(image.width, image.height, BufferedImage.TYPE_BYTE_GRAY);
    final byte[] pixels = ((DataBufferByte) gray.getRaster().getDataBuffer()).getData();
    for (int c = 0; c < image.channels; c++) {
      for (int i = 0; i < plane; i++) {
        pixels[i] = (byte) Raster.toByte(image.data[c * plane + i]);
      }
      final BufferedImage decoded = decode(encode(gray, quality));
      final java.awt.image.Raster back = decoded.getRaster();
      for (int y = 0; y < image.height; y++) {
        for (int x = 0; x < image.width; x++) {
          image.data[c * plane + y * image.width + x] = back.getSample(x, y, 0) / 255f;
        }
      }
    }
    return image;
  }

  /** Separable area averaging: columns first, then rows. */
  private static double[][] downsample(Raster image, int channel, double[][] rows,
      double[][] columns) {
    final int base = channel * image.plane();
    final double[][] narrow = new double[image.height][columns.length];
    for (int y = 0; y < image.height; y++) {
      for (int j = 0; j < columns.length; j++) {
        double sum = 0;
        for (int x = 0; x < image.width; x++) {
          sum += columns[j][x] * image.data[base + y * image.width + x];
        }
        narrow[y][j] = sum;
      }
    }
    final double[][] small = new double[rows.length][columns.length];
    for (int i = 0; i < rows.length; i++) {
      for (int y = 0; y < image.height; y++) {
        if (rows[i][y] != 0) {
          for (int j = 0; j < columns.length; j++) {
            small[i][j] += rows[i][y] * narrow[y][j];
          }
        }
      }
    }
    return small;
  }

  /**
   * {@code weights[i][y]}: the share of output cell {@code i} that source row {@code y} covers,
   * when {@code from} rows are averaged into {@code to} cells; each cell's weights sum to 1.
   */
  private static double[][] areaWeights(int from, int to) {
    final double[][] weights = new double[to][from];
    final double cell = (double) from / to;
    for (int i = 0; i < to; i++) {
      final double start = i * cell;
      final double end = start + cell;
      for (int y = (int) Math.floor(start); y < Math.min(from, Math.ceil(end)); y++) {
        weights[i][y] = (Math.min(end, y + 1) - Math.max(start, y)) / cell;
      }
    }
    return weights;
  }

  private static byte[] encode(BufferedImage image, float quality) {
    final ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      final ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("JPEG encoding in memory failed at quality " + quality, e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  private static BufferedImage decode(byte[] jpeg) {
    final ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
      reader.setInput(in);
      return reader.read(0);
    } catch (IOException e) {
      throw new UncheckedIOException("JPEG decoding of " + jpeg.length + " bytes failed", e);
    } finally {
      reader.dispose();
    }
  }
}
