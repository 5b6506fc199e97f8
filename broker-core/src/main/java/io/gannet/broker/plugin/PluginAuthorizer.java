package io.gannet.broker.plugin;

import io.gannet.broker.auth.Authorizer;
import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.shared.SharedSubscriptions;
import io.gannet.spi.auth.AuthorizationRequest;
import io.gannet.spi.auth.AuthorizationResult;
import io.gannet.spi.auth.TopicAuthorizer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's authorization port served by plugins: asks each registered {@link TopicAuthorizer} in turn until
 * one decides; none deciding, a hook failing or timing out all deny. Authorization fails closed.
 */
public final class PluginAuthorizer implements Authorizer {
    private static final Logger log = LoggerFactory.getLogger(PluginAuthorizer.class);

    private final List<TopicAuthorizer> chain;
    private final long timeoutMillis;

    public PluginAuthorizer(List<TopicAuthorizer> chain, long timeoutMillis) {
        this.chain = List.copyOf(chain);
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public CompletionStage<Boolean> authorize(ConnectAttempt client, Action action, String topic) {
        AuthorizationRequest request;
        if (action == Action.PUBLISH) {
            request = new AuthorizationRequest(Hooks.clientInfo(client), AuthorizationRequest.Action.PUBLISH, topic);
        } else {
            // The core asks about a shared subscription by its full filter; a plugin gets the group beside it.
            SharedSubscriptions.SharedFilter shared = sharedOrNull(topic);
            request = new AuthorizationRequest(Hooks.clientInfo(client), AuthorizationRequest.Action.SUBSCRIBE,
                    shared == null ? topic : shared.filter(),
                    shared == null ? Optional.empty() : Optional.of(shared.shareName()));
        }
        return ask(0, request);
    }

    private static SharedSubscriptions.SharedFilter sharedOrNull(String filter) {
        try {
            return SharedSubscriptions.parse(filter);
        } catch (IllegalArgumentException invalid) {
            return null; // refused as invalid after the decision anyway
        }
    }

    private CompletionStage<Boolean> ask(int index, AuthorizationRequest request) {
        if (index == chain.size()) {
            return CompletableFuture.completedFuture(false); // nobody allowed it
        }
        CompletableFuture<AuthorizationResult> answer = Hooks.call(() -> chain.get(index).authorize(request));
        if (answer.isDone() && !answer.isCompletedExceptionally()) {
            return decide(index, request, answer.join()); // the common, synchronous case: no timer
        }
        return answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).handle((result, error) -> {
            if (error != null || result == null) {
                log.warn("Authorization hook failed for client {} ({}); denying", request.client().clientId(),
                        error == null ? "no result" : error.toString());
                return CompletableFuture.completedFuture(false);
            }
            return decide(index, request, result);
        }).thenCompose(stage -> stage);
    }

    private CompletionStage<Boolean> decide(int index, AuthorizationRequest request, AuthorizationResult result) {
        return switch (result) {
            case ALLOW -> ALLOWED;
            case DENY -> CompletableFuture.completedFuture(false);
            case NEXT -> ask(index + 1, request);
        };
    }
}
