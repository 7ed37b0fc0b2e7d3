package io.attune.adaptation.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.attune.adaptation.model.InvalidModelException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Reads and writes ONNX {@code ModelProto} files with ONNX's own generated protobuf classes.
 * Fields this version of the schema does not know are kept by protobuf and written back, so a
 * round trip loses nothing (opset imports, metadata, training info, future fields).
 */
public final class OnnxModels {

  /** Protobuf's default 64 MiB message limit is too small for real models; 2 GiB is ONNX's. */
  private static final int MAX_MODEL_BYTES = Integer.MAX_VALUE;

  private OnnxModels() {}

  /**
   * Reads a model stored in one file.
   *
   * @throws InvalidModelException if the file is missing, is not an ONNX model, keeps its
   *     weights in external data files, or has no graph
   */
  public static ModelProto read(Path file) {
    ModelProto model;
    try (InputStream in = Files.newInputStream(file)) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit(MAX_MODEL_BYTES);
      model = ModelProto.parseFrom(coded);
    } catch (NoSuchFileException e) {
      throw new InvalidModelException(file + ": no such ONNX model file");
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidModelException(file + ": not an ONNX model (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new InvalidModelException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
      throw new InvalidModelException(file + ": not an ONNX model (no graph nodes)");
    }
    refuseExternalData(file, model.getGraph());
    return model;
  }

  /** Writes {@code model} atomically: readers never see half a file. */
  public static void write(ModelProto model, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".part");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      model.writeTo(out);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The version of the default ONNX operator set the model imports. */
  public static int defaultOpset(ModelProto model) {
    return model.getOpsetImportList().stream()
        .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
        .mapToInt(o -> Math.toIntExact(o.getVersion()))
        .findFirst()
        .orElseThrow(() -> new InvalidModelException("model imports no default ONNX opset"));
  }

  /** An operator set import, for building models. */
  public static OperatorSetIdProto opset(String domain, int version) {
    return OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version).build();
  }

  private static void refuseExternalData(Path file, GraphProto graph) {
    for (TensorProto tensor : graph.getInitializerList()) {
      if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL
          || tensor.getExternalDataCount() > 0) {
        throw new InvalidModelException(file + ": initializer '" + tensor.getName()
            + "' is stored in an external data file; Attune needs the weights inside the model "
            + "(onnx.load(path) then onnx.save(model, path, save_as_external_data=False))");
      }
    }
  }
}
