package io.gannet.broker.connection;

import io.gannet.broker.config.MqttConfig;
import io.gannet.broker.config.SessionConfig;
import io.gannet.broker.events.BrokerEvents;
import io.gannet.broker.events.Drops;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.publish.AuthorizationCache;
import io.gannet.broker.publish.PublishPipeline;
import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.session.Session;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What handling an accepted client's packets takes, the same for every connection: the publish path, the retained
 * messages a new subscription gets, and where drops and events are reported. Makes each connection's
 * {@link PacketHandler} when CONNACK accepts it.
 *
 * @param authorizationEpoch            moves on when plugins invalidate cached authorization decisions
 * @param acknowledgementTimeoutSeconds how long an acknowledgement held by an interceptor may wait
 */
public record ClientPackets(MqttConfig mqtt, SessionConfig sessions, PublishPipeline publishing,
                            RetainedStore retained, Drops drops, BrokerMetrics metrics, BrokerEvents events,
                            AtomicLong authorizationEpoch,
                            int acknowledgementTimeoutSeconds, Clock clock) {

    PacketHandler handlerFor(MqttConnection connection, Session session) {
        return new PacketHandler(connection, session,
                new InboundPublishes(connection, session, this, new AuthorizationCache(authorizationEpoch)));
    }
}
