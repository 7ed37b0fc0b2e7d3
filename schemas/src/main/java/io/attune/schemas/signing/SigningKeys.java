package io.attune.schemas.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 key pairs and their PEM files: the private key as unencrypted PKCS#8
 * ({@code -----BEGIN PRIVATE KEY-----}), the public key as X.509 SubjectPublicKeyInfo
 * ({@code -----BEGIN PUBLIC KEY-----}). These are the files that
 * {@code openssl genpkey -algorithm ed25519 -out key.pem} and
 * {@code openssl pkey -in key.pem -pubout -out pub.pem} write, and Python's
 * {@code cryptography} reads.
 *
 * <p>Every failure to read or write names the file and says what is wrong with it.
 */
public final class SigningKeys {

  private static final String ALGORITHM = "Ed25519";
  private static final String PRIVATE = "PRIVATE KEY";
  private static final String PUBLIC = "PUBLIC KEY";
  private static final Base64.Encoder PEM_BASE64 =
      Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  private SigningKeys() {}

  /** A fresh Ed25519 key pair from the JDK's default secure random source. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
    }
  }

  /**
   * Reads an Ed25519 private key from a PKCS#8 PEM file.
   *
   * @throws KeyFileException naming the file if it is missing, holds no {@code PRIVATE KEY} block
   *     (or an encrypted or another kind of one), or the key is not Ed25519
   */
  public static PrivateKey readPrivateKey(Path file) throws KeyFileException {
    final byte[] der = readPem(file, PRIVATE);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (InvalidKeySpecException e) {
      throw new KeyFileException(file, "the PRIVATE KEY is not an Ed25519 key", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
    }
  }

  /**
   * Reads an Ed25519 public key from an X.509 PEM file.
   *
   * @throws KeyFileException naming the file if it is missing, holds no {@code PUBLIC KEY} block,
   *     or the key is not Ed25519
   */
  public static PublicKey readPublicKey(Path file) throws KeyFileException {
    final byte[] der = readPem(file, PUBLIC);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    } catch (InvalidKeySpecException e) {
      throw new KeyFileException(file, "the PUBLIC KEY is not an Ed25519 key", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
    }
  }

  /**
   * Reads a private key and its public key, and checks that they belong together.
   *
   * @throws KeyFileException naming a file that cannot be read, or both files if the keys do not
   *     form a pair
   */
  public static KeyPair readKeyPair(Path privateKeyFile, Path publicKeyFile)
      throws KeyFileException {
    final KeyPair pair = new KeyPair(readPublicKey(publicKeyFile),
        readPrivateKey(privateKeyFile));
    if (!matches(pair)) {
      throw new KeyFileException(privateKeyFile, "is not the private key of " + publicKeyFile
          + " (key id " + UpdateSignatures.keyId(pair.getPublic()) + ")", null);
    }
    return pair;
  }

  /**
   * Writes {@code key} as a PKCS#8 PEM file readable by its owner only (where the file system
   * has POSIX permissions). Never replaces an existing file.
   *
   * @throws KeyFileException naming the file if it exists or cannot be written
   */
  public static void writePrivateKey(Path file, PrivateKey key) throws KeyFileException {
    write(file, pem(PRIVATE, key.getEncoded()), true);
  }

  /**
   * Writes {@code key} as an X.509 PEM file. Never replaces an existing file.
   *
   * @throws KeyFileException naming the file if it exists or cannot be written
   */
  public static void writePublicKey(Path file, PublicKey key) throws KeyFileException {
    write(file, pem(PUBLIC, key.getEncoded()), false);
  }

  /** {@code key}'s encoding as PEM text with the given label, 64 base64 characters a line. */
  static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + PEM_BASE64.encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  private static byte[] readPem(Path file, String label) throws KeyFileException {
    final String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new KeyFileException(file, "no such file", e);
    } catch (IOException e) {
      throw new KeyFileException(file, "cannot read: " + e.getMessage(), e);
    }
    final String begin = "-----BEGIN " + label + "-----";
    final String end = "-----END " + label + "-----";
    final int start = text.indexOf(begin);
    if (start < 0) {
      throw new KeyFileException(file, "not a PEM " + label + " file (no '" + begin + "' line"
          + found(text) + "); Attune reads unencrypted PKCS#8 and X.509 Ed25519 keys", null);
    }
    final int stop = text.indexOf(end, start);
    if (stop < 0) {
      throw new KeyFileException(file, "the " + label + " block has no '" + end + "' line", null);
    }
    try {
      final String body = text.substring(start + begin.length(), stop).replaceAll("\\s", "");
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new KeyFileException(file, "the " + label + " block is not valid base64", e);
    }
  }

  /** The label of the first PEM block found instead, if any. */
  private static String found(String text) {
    final int at = text.indexOf("-----BEGIN ");
    if (at < 0) {
      return "";
    }
    final int close = text.indexOf("-----", at + 11);
    return close < 0 ? "" : "; it holds a " + text.substring(at + 11, close);
  }

  private static void write(Path file, String text, boolean ownerOnly) throws KeyFileException {
    try {
      if (ownerOnly && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
      Files.writeString(file, text, StandardCharsets.US_ASCII);
    } catch (FileAlreadyExistsException e) {
      throw new KeyFileException(file, "already exists; key files are never replaced", e);
    } catch (IOException e) {
      throw new KeyFileException(file, "cannot write: " + e.getMessage(), e);
    }
  }

  private static boolean matches(KeyPair pair) {
    final byte[] probe = "attune key pair check".getBytes(StandardCharsets.US_ASCII);
    try {
      final Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(pair.getPrivate());
      signer.update(probe);
      final byte[] signature = signer.sign();
      final Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(pair.getPublic());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 self-check failed", e);
    }
  }
}
