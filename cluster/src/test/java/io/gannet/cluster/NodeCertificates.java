package io.gannet.cluster;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A cluster's certificate authority for tests, as an operator would make one: a CA, and for each node a certificate
 * for 127.0.0.1 and localhost, written as the PEM files {@code cluster.tls-*} name.
 */
final class NodeCertificates {
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private long serial = 1;

    NodeCertificates(String name) throws Exception {
        this.name = name;
        caKeys = keyPair();
        JcaX509v3CertificateBuilder b = builder(new X500Name("CN=" + name), caKeys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca = sign(b);
    }

    /** Writes {@code dir}/node.pem (the node's certificate, then the CA's), node.key (PKCS#8) and ca.pem. */
    void writeNode(String nodeId, Path dir) throws Exception {
        KeyPair keys = keyPair();
        JcaX509v3CertificateBuilder b = builder(new X500Name("CN=" + nodeId), keys);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("node.pem"), pem("CERTIFICATE", sign(b).getEncoded())
                + pem("CERTIFICATE", ca.getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("node.key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()),
                StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("ca.pem"), pem("CERTIFICATE", ca.getEncoded()), StandardCharsets.US_ASCII);
    }

    /** The keys {@link #writeNode} wrote, for the {@code cluster} section of each node, relative to its home. */
    static String settings(String dir) {
        return "  tls-certificate: " + dir + "/node.pem\n"
                + "  tls-private-key: " + dir + "/node.key\n"
                + "  tls-trust: " + dir + "/ca.pem\n";
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private JcaX509v3CertificateBuilder builder(X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(new X500Name("CN=" + name), BigInteger.valueOf(serial++),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                keys.getPublic());
    }

    private X509Certificate sign(JcaX509v3CertificateBuilder b) throws Exception {
        PrivateKey signer = caKeys.getPrivate();
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }
}
