package io.gannet.broker.plugin;

import io.gannet.broker.auth.AuthExchange;
import io.gannet.broker.auth.AuthStep;
import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.auth.EnhancedAuthenticator;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.spi.auth.AuthConversation;
import io.gannet.spi.auth.AuthenticationRequest;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's enhanced-authentication port served by plugins: each Authentication Method goes to the first plugin
 * (by priority) that lists it. A step that throws, fails or takes longer than the hook timeout refuses the client
 * as "server unavailable".
 */
public final class PluginEnhancedAuthenticator implements EnhancedAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(PluginEnhancedAuthenticator.class);

    private final Map<String, io.gannet.spi.auth.EnhancedAuthenticator> byMethod = new LinkedHashMap<>();
    private final long timeoutMillis;

    public PluginEnhancedAuthenticator(List<io.gannet.spi.auth.EnhancedAuthenticator> chain, long timeoutMillis) {
        for (io.gannet.spi.auth.EnhancedAuthenticator a : chain) {
            try {
                for (String method : a.methods()) {
                    byMethod.putIfAbsent(method, a);
                }
            } catch (RuntimeException | LinkageError e) {
                log.error("Enhanced authenticator {} failed to list its methods and is left out: {}",
                        a.getClass().getName(), e.toString());
            }
        }
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public AuthExchange start(String method, ConnectAttempt attempt) {
        io.gannet.spi.auth.EnhancedAuthenticator authenticator = byMethod.get(method);
        if (authenticator == null) {
            return null;
        }
        AuthenticationRequest request = new AuthenticationRequest(attempt.clientId(),
                Optional.ofNullable(attempt.username()), Optional.empty(), attempt.certificates(),
                attempt.listenerName(), attempt.remoteAddress() instanceof InetSocketAddress a ? a : null,
                Hooks.protocolVersion(attempt.version()));
        AuthConversation conversation;
        try {
            conversation = authenticator.start(method, request);
        } catch (RuntimeException | LinkageError e) {
            log.warn("Enhanced authentication ({}) failed to start for client {}: {}", method, attempt.clientId(),
                    e.toString());
            return data -> CompletableFuture.completedFuture(AuthStep.failure(ReasonCode.SERVER_UNAVAILABLE));
        }
        if (conversation == null) {
            return null;
        }
        return new AuthExchange() {
            @Override
            public CompletionStage<AuthStep> respond(byte[] clientData) {
                return Hooks.call(() -> conversation.respond(clientData))
                        .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                        .handle((step, error) -> {
                            if (error != null || step == null) {
                                log.warn("Enhanced authentication ({}) failed for client {}: {}", method,
                                        attempt.clientId(), error == null ? "no answer" : error.toString());
                                return AuthStep.failure(ReasonCode.SERVER_UNAVAILABLE);
                            }
                            return toBroker(step);
                        });
            }

            @Override
            public void abandon() {
                try {
                    conversation.abandon();
                } catch (RuntimeException | LinkageError e) {
                    log.debug("AuthConversation.abandon failed: {}", e.toString());
                }
            }
        };
    }

    private static AuthStep toBroker(io.gannet.spi.auth.AuthStep step) {
        if (step.isChallenge()) {
            return AuthStep.challenge(step.data());
        }
        if (step.isSuccess()) {
            return AuthStep.success(step.data(), step.identity().orElse(null));
        }
        return AuthStep.failure(switch (step.refusal().orElseThrow()) {
            case BAD_CREDENTIALS -> ReasonCode.BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED -> ReasonCode.NOT_AUTHORIZED;
            case BANNED -> ReasonCode.BANNED;
            case SERVER_UNAVAILABLE -> ReasonCode.SERVER_UNAVAILABLE;
        });
    }
}
