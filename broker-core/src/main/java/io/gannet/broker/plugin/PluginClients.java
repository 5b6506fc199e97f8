package io.gannet.broker.plugin;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.connection.MqttConnection;
import io.gannet.broker.session.Session;
import io.gannet.broker.session.SessionRegistry;
import io.gannet.broker.session.Subscription;
import io.gannet.spi.ClientInfo;
import io.gannet.spi.services.ClientService;
import io.gannet.spi.services.SessionInfo;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/** Plugins' view of connected clients and sessions. Session state is read on the session's own event loop. */
final class PluginClients implements ClientService {
    private final SessionRegistry sessions;
    private final ChannelGroup channels;

    PluginClients(SessionRegistry sessions, ChannelGroup channels) {
        this.sessions = sessions;
        this.channels = channels;
    }

    @Override
    public List<ClientInfo> connectedClients() {
        List<ClientInfo> clients = new ArrayList<>();
        for (Channel ch : channels) {
            MqttConnection c = ch.pipeline().get(MqttConnection.class);
            ConnectAttempt client = c == null ? null : c.acceptedClient();
            if (client != null) {
                clients.add(Hooks.clientInfo(client));
            }
        }
        return clients;
    }

    @Override
    public Optional<ClientInfo> connectedClient(String clientId) {
        Session s = sessions.get(clientId);
        ConnectAttempt client = s == null ? null : s.connectedClient();
        return client == null ? Optional.empty() : Optional.of(Hooks.clientInfo(client));
    }

    @Override
    public CompletionStage<Optional<SessionInfo>> session(String clientId) {
        Session s = sessions.get(clientId);
        if (s == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return onSessionLoop(s, () -> {
            ConnectAttempt client = s.connectedClient();
            List<SessionInfo.SubscriptionInfo> subs = new ArrayList<>(s.subscriptions().size());
            for (Subscription sub : s.subscriptions()) {
                subs.add(new SessionInfo.SubscriptionInfo(sub.key(), sub.qos()));
            }
            return Optional.of(new SessionInfo(clientId,
                    client == null ? Optional.empty() : Optional.of(Hooks.clientInfo(client)), s.expirySeconds(),
                    subs, s.outbound().queued(), s.outbound().inflightCount()));
        });
    }

    @Override
    public CompletionStage<Boolean> disconnect(String clientId, String reason, boolean endSession) {
        Session s = sessions.get(clientId);
        if (s == null) {
            return CompletableFuture.completedFuture(false);
        }
        return onSessionLoop(s, () -> s.disconnectClient(reason, endSession));
    }

    private static <T> CompletableFuture<T> onSessionLoop(Session s, java.util.function.Supplier<T> read) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        try {
            s.execute(() -> {
                try {
                    answer.complete(read.get());
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            answer.completeExceptionally(shuttingDown);
        }
        return answer;
    }
}
