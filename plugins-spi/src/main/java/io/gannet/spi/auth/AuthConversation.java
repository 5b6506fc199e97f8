package io.gannet.spi.auth;

import io.gannet.spi.Stable;
import java.util.concurrent.CompletionStage;

/**
 * One enhanced-authentication exchange with one client (see {@link EnhancedAuthenticator}). The broker calls
 * {@link #respond} with the Authentication Data of the CONNECT (or of the AUTH that starts a re-authentication),
 * then with that of each AUTH the client sends, until a step succeeds or refuses. Calls come one at a time, each
 * after the previous stage completed; a stage that fails or takes longer than {@code plugins.hook-timeout-ms}
 * refuses the client as "server unavailable".
 *
 * @since 1.0
 */
@Stable
@FunctionalInterface
public interface AuthConversation {
    /** @param clientData the client's Authentication Data; empty when it sent none */
    CompletionStage<AuthStep> respond(byte[] clientData);

    /** The client went away (or the broker stopped) before the exchange ended; release what it holds. */
    default void abandon() {
    }
}
