package io.gannet.broker.auth;

import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * Decides whether a CONNECT may proceed: the plugins' authenticators, or {@link AllowAllAuthenticator} when none is
 * installed. Called on the connection's event loop; implementations that call out (a database, a directory) must
 * return at once and complete the stage later.
 */
public interface Authenticator {
    /**
     * @param connectionOpen whether the client's connection is still open, from any thread: slow work queued for
     *                       a client that has gone can be skipped
     */
    CompletionStage<AuthDecision> authenticate(ConnectAttempt attempt, BooleanSupplier connectionOpen);
}
