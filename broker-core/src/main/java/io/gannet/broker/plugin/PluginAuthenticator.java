package io.gannet.broker.plugin;

import io.gannet.broker.auth.AuthDecision;
import io.gannet.broker.auth.Authenticator;
import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.spi.auth.AuthenticationRequest;
import io.gannet.spi.auth.AuthenticationResult;
import io.gannet.spi.auth.ConnectAuthenticator;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's authentication port served by plugins: asks each registered {@link ConnectAuthenticator} in turn
 * until one decides. A hook that throws, fails or does not answer within the hook timeout refuses the client with
 * "server unavailable": authentication fails closed.
 */
public final class PluginAuthenticator implements Authenticator {
    private static final Logger log = LoggerFactory.getLogger(PluginAuthenticator.class);
    private static final AuthDecision UNAVAILABLE = new AuthDecision(ReasonCode.SERVER_UNAVAILABLE,
            "authentication unavailable");

    private final List<ConnectAuthenticator> chain;
    private final long timeoutMillis;

    public PluginAuthenticator(List<ConnectAuthenticator> chain, long timeoutMillis) {
        this.chain = List.copyOf(chain);
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public CompletionStage<AuthDecision> authenticate(ConnectAttempt attempt, BooleanSupplier connectionOpen) {
        AuthenticationRequest request = new AuthenticationRequest(attempt.clientId(),
                Optional.ofNullable(attempt.username()), Optional.ofNullable(attempt.password()),
                attempt.certificates(),
                attempt.listenerName(), attempt.remoteAddress() instanceof InetSocketAddress a ? a : null,
                Hooks.protocolVersion(attempt.version()), connectionOpen);
        return ask(0, request);
    }

    private CompletionStage<AuthDecision> ask(int index, AuthenticationRequest request) {
        if (index == chain.size()) {
            return CompletableFuture.completedFuture(new AuthDecision(ReasonCode.NOT_AUTHORIZED,
                    "no authenticator accepted the client"));
        }
        CompletableFuture<AuthenticationResult> answer = Hooks.call(() -> chain.get(index).authenticate(request));
        return answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).handle((result, error) -> {
            if (error != null || result == null) {
                log.warn("Authentication hook failed for client {} ({}); refusing", request.clientId(),
                        error == null ? "no result" : error.toString());
                return CompletableFuture.completedFuture(UNAVAILABLE);
            }
            if (result.isNext()) {
                return ask(index + 1, request);
            }
            if (result.isSuccess()) {
                return CompletableFuture.completedFuture(result.username() == null ? AuthDecision.ALLOW
                        : new AuthDecision(ReasonCode.SUCCESS, "", result.username()));
            }
            return CompletableFuture.completedFuture(new AuthDecision(switch (result.refusal()) {
                case BAD_CREDENTIALS -> ReasonCode.BAD_USER_NAME_OR_PASSWORD;
                case NOT_AUTHORIZED -> ReasonCode.NOT_AUTHORIZED;
                case BANNED -> ReasonCode.BANNED;
                case SERVER_UNAVAILABLE -> ReasonCode.SERVER_UNAVAILABLE;
            }, result.reason()));
        }).thenCompose(stage -> stage);
    }
}
