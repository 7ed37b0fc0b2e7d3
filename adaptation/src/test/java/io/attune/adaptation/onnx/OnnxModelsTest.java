package io.attune.adaptation.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.UnknownFieldSet;
import io.attune.adaptation.RepoRoot;
import io.attune.adaptation.model.InvalidModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelsTest {

  @TempDir
  Path dir;

  @Test
  void aRoundTripKeepsEveryByteOfARealExport() throws Exception {
    Path original = RepoRoot.find().resolve("models/fmnist-resnet/model.onnx");
    Path copy = dir.resolve("copy.onnx");

    OnnxModels.write(OnnxModels.read(original), copy);

    assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(original));
  }

  @Test
  void metadataOpsetsAndFieldsFromNewerSchemasSurviveARoundTrip() throws Exception {
    ModelProto model = TinyModels.convBnNet(15).toBuilder()
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("author").setValue("us"))
        .addOpsetImport(OnnxModels.opset("com.example", 3))
        .setUnknownFields(UnknownFieldSet.newBuilder().addField(999,
            UnknownFieldSet.Field.newBuilder().addVarint(42).build()).build())
        .build();
    Path file = dir.resolve("m.onnx");

    OnnxModels.write(model, file);
    ModelProto back = OnnxModels.read(file);

    assertThat(back).isEqualTo(model);
    assertThat(back.getUnknownFields().getField(999).getVarintList()).containsExactly(42L);
    assertThat(OnnxModels.defaultOpset(back)).isEqualTo(15);
  }

  @Test
  void modelsWithExternalWeightsAreRefusedSayingHowToInlineThem() throws Exception {
    ModelProto tiny = TinyModels.convBnNet(13);
    TensorProto external = tiny.getGraph().getInitializer(0).toBuilder().clearRawData()
        .setDataLocation(TensorProto.DataLocation.EXTERNAL).build();
    ModelProto model = tiny.toBuilder().setGraph(tiny.getGraph().toBuilder()
        .setInitializer(0, external)).build();
    Path file = dir.resolve("external.onnx");
    OnnxModels.write(model, file);

    assertThatThrownBy(() -> OnnxModels.read(file))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("is stored in an external data file")
        .hasMessageContaining("save_as_external_data=False");
  }

  @Test
  void aFileThatIsNotOnnxIsRefusedNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("notes.onnx"), "these are not weights");

    assertThatThrownBy(() -> OnnxModels.read(file))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageStartingWith(file + ": not an ONNX model");
  }

  @Test
  void aMissingFileIsNamed() {
    assertThatThrownBy(() -> OnnxModels.read(dir.resolve("absent.onnx")))
        .hasMessageEndingWith("absent.onnx: no such ONNX model file");
  }
}
