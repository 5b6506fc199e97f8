package io.gannet.broker.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Browser origins as a ws or wss listener's {@code allowed-origins} names them: {@code scheme://host[:port]}, or
 * {@code *} for any. Compared in one normal form (lower case, no trailing slash, no default port) so that
 * {@code https://App.example.com:443/} and the {@code https://app.example.com} a browser sends are the same.
 */
public final class WebOrigins {
    /** Allows every origin: for a listener whose clients authenticate and that expects any web page. */
    public static final String ANY = "*";

    private WebOrigins() {
    }

    /**
     * The normal form of an origin.
     *
     * @throws IllegalArgumentException if it is not {@code *} or {@code scheme://host[:port]}
     */
    public static String normalize(String origin) {
        String o = origin.strip();
        if (ANY.equals(o)) {
            return ANY;
        }
        URI uri;
        try {
            uri = new URI(o);
        } catch (URISyntaxException e) {
            throw notAnOrigin(origin);
        }
        String path = uri.getRawPath();
        if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null
                || (path != null && !path.isEmpty() && !path.equals("/"))) {
            throw notAnOrigin(origin);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (port == 443 && scheme.equals("https")) || (port == 80
                && scheme.equals("http"));
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    /** The normal form of an Origin header as a browser sent it, or {@code null} if it is not one ("null"). */
    public static String normalizeSent(String header) {
        try {
            return normalize(header);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static IllegalArgumentException notAnOrigin(String origin) {
        return new IllegalArgumentException("'" + origin + "' is not an origin such as https://app.example.com "
                + "(scheme, host and an optional port), or *");
    }
}
