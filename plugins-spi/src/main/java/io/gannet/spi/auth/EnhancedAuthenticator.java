package io.gannet.spi.auth;

import io.gannet.spi.Stable;
import java.util.Set;

/**
 * MQTT 5.0 enhanced authentication (spec section 4.12): a challenge and response exchange in AUTH packets, for
 * methods such as SCRAM or Kerberos, started by a CONNECT that names an Authentication Method, and again when a
 * connected client re-authenticates.
 *
 * <p>A client that names a method no registered authenticator lists is refused with 0x8C (bad authentication
 * method). Clients that name no method use the {@link ConnectAuthenticator}s instead; an enhanced authentication
 * that succeeds is the whole authentication, and the connect authenticators are not asked.
 *
 * <p>One instance serves every client: implementations must be thread-safe.
 *
 * @since 1.0
 */
@Stable
public interface EnhancedAuthenticator {
    /** The Authentication Method names this authenticator handles, such as {@code SCRAM-SHA-256}. */
    Set<String> methods();

    /**
     * Starts a conversation with one client. Called on a network event loop: return at once, without blocking.
     *
     * @param method  one of {@link #methods()}
     * @param request who the client is (its password is empty: enhanced methods carry their own data)
     * @return the conversation; the broker passes it the client's first Authentication Data next
     */
    AuthConversation start(String method, AuthenticationRequest request);
}
