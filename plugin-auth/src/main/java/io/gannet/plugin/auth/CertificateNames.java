package io.gannet.plugin.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** Picks the user name out of a client certificate: its subject CN, or its first DNS or e-mail SAN. */
final class CertificateNames {
    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;

    private CertificateNames() {
    }

    /** @param mode none, cn or san; returns {@code null} when there is no certificate or no such name */
    static String username(List<X509Certificate> chain, String mode) {
        if (chain.isEmpty() || mode.equals("none")) {
            return null;
        }
        X509Certificate leaf = chain.get(0);
        return mode.equals("cn") ? commonName(leaf) : subjectAlternativeName(leaf);
    }

    private static String commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }

    private static String subjectAlternativeName(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return null;
            }
            for (List<?> n : names) {
                int type = (Integer) n.get(0);
                if (type == SAN_DNS || type == SAN_EMAIL) {
                    return n.get(1).toString();
                }
            }
        } catch (CertificateParsingException e) {
            return null;
        }
        return null;
    }
}
