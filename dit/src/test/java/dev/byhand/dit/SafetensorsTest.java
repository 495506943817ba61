package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.byhand.dit.nn.Safetensors;
import dev.byhand.dit.nn.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  @Test
  void roundTripKeepsTensorsMetadataAndAlignment() throws Exception {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("a.weight", new Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f}));
    tensors.put("scalar", new Tensor(new long[] {}, new float[] {Float.MIN_VALUE}));
    tensors.put("b", new Tensor(new long[] {1}, new float[] {Float.NaN}));
    Path file = dir.resolve("x.safetensors");
    Safetensors.write(file, tensors, Map.of("step", "12", "note", "quote \" and ü"));
    Safetensors.Contents back = Safetensors.read(file);
    assertThat(back.tensors().keySet()).containsExactly("a.weight", "scalar", "b");
    assertThat(back.tensors().get("a.weight").data()).containsExactly(1, 2, 3, 4, 5, -6.5f);
    assertThat(back.tensors().get("a.weight").shape()).containsExactly(2, 3);
    assertThat(back.tensors().get("scalar").shape()).isEmpty();
    assertThat(back.tensors().get("b").data()[0]).isNaN();
    assertThat(back.metadata()).containsEntry("step", "12").containsEntry("note", "quote \" and ü");
    byte[] bytes = Files.readAllBytes(file);
    long header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat((8 + header) % 8).isZero();
    assertThat(bytes.length - 8 - header).isEqualTo(4 * (6 + 1 + 1));
  }

  @Test
  void configsRoundTripThroughMetadata() {
    DiTConfig config = DiTConfig.seed();
    assertThat(
            Records.fromMetadata(DiTConfig.class, "dit.", Records.toMetadata("dit.", config), dir))
        .isEqualTo(config);
    AutoencoderConfig ae = AutoencoderConfig.small();
    assertThat(Records.fromMetadata(AutoencoderConfig.class, "", Records.toMetadata("", ae), dir))
        .isEqualTo(ae);
    Map<String, String> broken = new LinkedHashMap<>(Records.toMetadata("", ae));
    broken.put("hidden", "many");
    assertThatThrownBy(() -> Records.fromMetadata(AutoencoderConfig.class, "", broken, dir))
        .hasMessageContaining("hidden");
  }

  @Test
  void foreignFilesAreRefusedByName() throws Exception {
    Path file = dir.resolve("junk.safetensors");
    Files.write(file, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> Safetensors.read(file)).hasMessageContaining("junk.safetensors");
    Files.write(file, new byte[] {(byte) 200, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
    assertThatThrownBy(() -> Safetensors.read(file)).hasMessageContaining("header length");
  }
}
