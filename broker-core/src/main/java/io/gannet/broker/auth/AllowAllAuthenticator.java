package io.gannet.broker.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/** Lets every client connect: the broker's behaviour when no authentication plugin is configured. */
public final class AllowAllAuthenticator implements Authenticator {
    private static final CompletionStage<AuthDecision> ALLOWED = CompletableFuture.completedFuture(AuthDecision.ALLOW);

    @Override
    public CompletionStage<AuthDecision> authenticate(ConnectAttempt attempt, BooleanSupplier connectionOpen) {
        return ALLOWED;
    }
}
