package io.gannet.broker.auth;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a CONNECT may proceed. The plugin SPI will let plugins provide this; until a plugin does, the
 * broker uses {@link AllowAllAuthenticator}. Called on the connection's event loop; implementations that call
 * out (a database, a directory) must return at once and complete the stage later.
 */
public interface Authenticator {
    CompletionStage<AuthDecision> authenticate(ConnectAttempt attempt);
}
