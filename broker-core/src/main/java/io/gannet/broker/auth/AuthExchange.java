package io.gannet.broker.auth;

import java.util.concurrent.CompletionStage;

/**
 * One enhanced-authentication conversation with one client. The broker calls {@link #respond} with the
 * Authentication Data of the CONNECT (or of the AUTH that starts a re-authentication), then with that of each AUTH
 * the client sends, until a step says success or failure. Calls come one at a time, each after the previous stage
 * completed.
 */
public interface AuthExchange {
    /** @param clientData the client's Authentication Data, or an empty array when it sent none */
    CompletionStage<AuthStep> respond(byte[] clientData);

    /** The connection closed before the exchange ended. */
    default void abandon() {
    }
}
