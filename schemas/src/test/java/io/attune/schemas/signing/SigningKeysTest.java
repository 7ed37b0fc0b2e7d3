package io.attune.schemas.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.schemas.ExampleRecords;
import io.attune.schemas.NormParamsUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {

  @TempDir
  Path dir;

  @Test
  void keysWrittenAsPemReadBackAndSignAlike() throws Exception {
    final KeyPair keys = SigningKeys.generate();
    final Path privateFile = dir.resolve("worker.key");
    final Path publicFile = dir.resolve("worker.pub");

    SigningKeys.writePrivateKey(privateFile, keys.getPrivate());
    SigningKeys.writePublicKey(publicFile, keys.getPublic());
    final PrivateKey privateKey = SigningKeys.readPrivateKey(privateFile);
    final PublicKey publicKey = SigningKeys.readPublicKey(publicFile);

    assertThat(Files.readString(privateFile)).startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    assertThat(Files.readString(publicFile)).startsWith("-----BEGIN PUBLIC KEY-----\n");
    assertThat(privateKey.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
    assertThat(publicKey.getEncoded()).isEqualTo(keys.getPublic().getEncoded());
    final NormParamsUpdate signed = UpdateSignatures.sign(ExampleRecords.params(),
        SigningKeys.readKeyPair(privateFile, publicFile));
    assertThat(UpdateSignatures.verify(signed, keys.getPublic())).isEqualTo(Verification.VALID);
  }

  @Test
  void thePrivateKeyFileIsReadableByItsOwnerOnlyAndNeverReplaced() throws Exception {
    final Path file = dir.resolve("worker.key");
    SigningKeys.writePrivateKey(file, SigningKeys.generate().getPrivate());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThatThrownBy(() -> SigningKeys.writePrivateKey(file,
        SigningKeys.generate().getPrivate()))
        .isInstanceOf(KeyFileException.class)
        .hasMessage(file + ": already exists; key files are never replaced");
  }

  @Test
  void keysThatAreNoPairAreRefusedNamingBothFiles() throws Exception {
    final Path privateFile = dir.resolve("a.key");
    final Path publicFile = dir.resolve("b.pub");
    SigningKeys.writePrivateKey(privateFile, SigningKeys.generate().getPrivate());
    SigningKeys.writePublicKey(publicFile, SigningKeys.generate().getPublic());

    assertThatThrownBy(() -> SigningKeys.readKeyPair(privateFile, publicFile))
        .isInstanceOf(KeyFileException.class)
        .hasMessageStartingWith(privateFile + ": is not the private key of " + publicFile);
  }

  @Test
  void aMissingFileIsNamed() {
    final Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> SigningKeys.readPublicKey(missing))
        .isInstanceOf(KeyFileException.class)
        .hasMessage(missing + ": no such file");
  }

  @Test
  void aPublicKeyFileReadAsAPrivateKeySaysWhatItHolds() throws Exception {
    final Path file = dir.resolve("worker.pub");
    SigningKeys.writePublicKey(file, SigningKeys.generate().getPublic());

    assertThatThrownBy(() -> SigningKeys.readPrivateKey(file))
        .isInstanceOf(KeyFileException.class)
        .hasMessage(file + ": not a PEM PRIVATE KEY file (no '-----BEGIN PRIVATE KEY-----' line; "
            + "it holds a PUBLIC KEY); Attune reads unencrypted PKCS#8 and X.509 Ed25519 keys");
  }

  @Test
  void brokenOrForeignPemContentIsNamed() throws Exception {
    final Path garbage = Files.writeString(dir.resolve("garbage.key"),
        "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n");
    final Path unterminated = Files.writeString(dir.resolve("cut.key"),
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n");
    final Path rsa = Files.writeString(dir.resolve("rsa.key"), SigningKeys.pem("PRIVATE KEY",
        KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate().getEncoded()));
    final Path text = Files.writeString(dir.resolve("notes.txt"), "hello");

    assertThatThrownBy(() -> SigningKeys.readPrivateKey(garbage))
        .hasMessage(garbage + ": the PRIVATE KEY block is not valid base64");
    assertThatThrownBy(() -> SigningKeys.readPrivateKey(unterminated))
        .hasMessage(unterminated + ": the PRIVATE KEY block has no '-----END PRIVATE KEY-----' "
            + "line");
    assertThatThrownBy(() -> SigningKeys.readPrivateKey(rsa))
        .hasMessage(rsa + ": the PRIVATE KEY is not an Ed25519 key");
    assertThatThrownBy(() -> SigningKeys.readPrivateKey(text))
        .hasMessageStartingWith(text + ": not a PEM PRIVATE KEY file (no '-----BEGIN PRIVATE "
            + "KEY-----' line)");
  }
}
