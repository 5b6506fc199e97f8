package io.gannet.plugin.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A salted, slow password hash: PBKDF2 with HMAC-SHA512 from the JDK, the iteration count stored with each entry
 * so that it can be raised for new entries without breaking old ones. Written as
 * {@code $pbkdf2-sha512$<iterations>$<salt base64>$<hash base64>}.
 */
record PasswordHash(int iterations, byte[] salt, byte[] hash) {
    /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA512. */
    static final int DEFAULT_ITERATIONS = 210_000;
    private static final String PREFIX = "$pbkdf2-sha512$";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 64;
    private static final int MAX_ITERATIONS = 10_000_000;
    private static final int MIN_SALT_BYTES = 8;
    private static final int MIN_HASH_BYTES = 16;
    private static final int MAX_HASH_BYTES = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    static PasswordHash create(char[] password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /** Whether {@code password} is the one hashed, compared in constant time. */
    boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    String encode() {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /** @throws IllegalArgumentException naming what is wrong with the text */
    static PasswordHash parse(String text) {
        if (!text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a " + PREFIX + " hash");
        }
        String[] parts = text.substring(PREFIX.length()).split("\\$");
        if (parts.length != 3) {
            throw new IllegalArgumentException("expected " + PREFIX + "<iterations>$<salt>$<hash>");
        }
        try {
            int iterations = Integer.parseInt(parts[0]);
            if (iterations < 1_000) {
                throw new IllegalArgumentException("iteration count " + iterations + " is too low (at least 1000)");
            }
            if (iterations > MAX_ITERATIONS) {
                // Each login would pay for them: a typo here would make every login of the user take minutes.
                throw new IllegalArgumentException("iteration count " + iterations + " is too high (at most "
                        + MAX_ITERATIONS + ")");
            }
            Base64.Decoder b64 = Base64.getDecoder();
            byte[] salt = b64.decode(parts[1]);
            byte[] hash = b64.decode(parts[2]);
            // Checked here, not at the first login (PBKDF2 refuses an empty salt or key; found by fuzzing).
            if (salt.length < MIN_SALT_BYTES || hash.length < MIN_HASH_BYTES || hash.length > MAX_HASH_BYTES) {
                throw new IllegalArgumentException("a salt of at least " + MIN_SALT_BYTES + " bytes and a hash of "
                        + MIN_HASH_BYTES + " to " + MAX_HASH_BYTES + " bytes are expected, not " + salt.length
                        + " and " + hash.length);
            }
            return new PasswordHash(iterations, salt, hash);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("iteration count is not a number", e);
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is not available in this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
