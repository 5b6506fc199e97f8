package io.gannet.spi.services;

import io.gannet.spi.ClientInfo;
import io.gannet.spi.DoNotImplement;
import io.gannet.spi.Stable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Finds connected clients and their sessions, and disconnects clients. Safe to call from any thread; the
 * answers are snapshots.
 *
 * @since 1.0
 */
@Stable
@DoNotImplement
public interface ClientService {
    /** The clients connected now. Costs one pass over all connections: not for every message. */
    List<ClientInfo> connectedClients();

    /** The connected client with this client identifier, if one is connected now. */
    Optional<ClientInfo> connectedClient(String clientId);

    /**
     * The session of this client identifier, connected or not, read on the session's own thread.
     *
     * @return a stage completed with the session, or empty when there is none
     */
    CompletionStage<Optional<SessionInfo>> session(String clientId);

    /**
     * Closes the connection of this client, as an administrative action: a 5.0 client gets DISCONNECT with reason
     * 0x98 and {@code reason} as the Reason String. Its will message is published.
     *
     * @param endSession whether the session ends too (its subscriptions and queued messages are dropped), rather
     *                   than waiting for the client's return for its expiry interval
     * @return a stage completed with {@code true} if a connected client was disconnected
     */
    CompletionStage<Boolean> disconnect(String clientId, String reason, boolean endSession);
}
