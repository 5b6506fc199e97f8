package io.gannet.plugin.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Whether a private key belongs to a certificate: it signs a random challenge that the certificate's public key
 * must verify. Checked before new files replace the ones in use, so that a certificate renewed without its key (or
 * the other way round) is refused with a clear message instead of failing every handshake.
 */
final class KeyPairCheck {
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyPairCheck() {
    }

    static boolean matches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw new GeneralSecurityException("unsupported private key algorithm " + key.getAlgorithm());
        };
        if (!certificate.getPublicKey().getAlgorithm().equals(key.getAlgorithm())
                && !(key.getAlgorithm().startsWith("Ed") && certificate.getPublicKey().getAlgorithm().startsWith("Ed"))) {
            return false;
        }
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        Signature sign = Signature.getInstance(algorithm);
        sign.initSign(key);
        sign.update(challenge);
        byte[] signature = sign.sign();
        Signature verify = Signature.getInstance(algorithm);
        verify.initVerify(certificate.getPublicKey());
        verify.update(challenge);
        return verify.verify(signature);
    }
}
