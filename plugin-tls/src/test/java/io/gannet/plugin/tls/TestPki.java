package io.gannet.plugin.tls;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A small certificate authority for tests: a CA, server certificates for localhost, client certificates. */
final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(1);

    record Issued(X509Certificate certificate, PrivateKey key) {
    }

    final Issued ca;

    TestPki() throws Exception {
        KeyPair pair = keyPair();
        X500Name name = new X500Name("CN=Gannet Test CA");
        JcaX509v3CertificateBuilder b = builder(name, name, pair);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca = new Issued(sign(b, pair.getPrivate()), pair.getPrivate());
    }

    Issued server(String cn) throws Exception {
        KeyPair pair = keyPair();
        JcaX509v3CertificateBuilder b = builder(new X500Name("CN=Gannet Test CA"), new X500Name("CN=" + cn), pair);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        return new Issued(sign(b, ca.key()), pair.getPrivate());
    }

    Issued client(String cn) throws Exception {
        KeyPair pair = keyPair();
        return new Issued(sign(builder(new X500Name("CN=Gannet Test CA"), new X500Name("CN=" + cn), pair), ca.key()),
                pair.getPrivate());
    }

    /** Writes {@code issued} as PEM certificate (with the CA after it) and key files. */
    static void writePem(Issued issued, X509Certificate ca, Path cert, Path key) throws Exception {
        Pem.write(cert, issued.certificate(), ca);
        Pem.write(key, issued.key());
    }

    /** A client TLS context trusting {@code trusted}, presenting {@code own} (or nothing). */
    static SSLContext clientContext(X509Certificate trusted, Issued own) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("trusted", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (own != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("me", own.key(), new char[0], new X509Certificate[] {own.certificate()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.getAndIncrement()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                pair.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }
}
