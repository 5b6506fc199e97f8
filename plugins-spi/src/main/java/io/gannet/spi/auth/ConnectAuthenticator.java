package io.gannet.spi.auth;

import io.gannet.spi.Stable;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may connect, from its credentials and where it comes from.
 *
 * <p>Asynchronous: {@link #authenticate} must return at once, without blocking (it is called on a network event
 * loop), and complete the stage later, from any thread, when a database or directory answered. The broker waits
 * at most {@code plugins.hook-timeout-ms}; a stage that does not complete in time, completes exceptionally, or
 * whose method throws, refuses the client with "server unavailable" (5.0: 0x88, 3.1.1: return code 3) and the
 * plugin's error is logged. Authentication fails closed.
 *
 * <p>When several plugins register authenticators they are asked in priority order; the first answer other than
 * {@link AuthenticationResult#next()} decides. If every authenticator says {@code next()}, the client is refused
 * as not authorized.
 *
 * <p>One instance serves every client: implementations must be thread-safe.
 *
 * @since 1.0
 */
@Stable
@FunctionalInterface
public interface ConnectAuthenticator {
    CompletionStage<AuthenticationResult> authenticate(AuthenticationRequest request);
}
