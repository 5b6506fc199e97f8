package io.gannet.broker.connection;

import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.config.MqttConfig;
import io.gannet.broker.session.Session;
import java.util.UUID;

/**
 * What the broker and a client agree on at CONNECT: the client id (the one given or one the broker assigned), the
 * client's limits, the keep alive, and how long the session outlives the connection.
 *
 * @param assignedClientId the id the broker made up for an empty one, or {@code null}
 * @param keepAliveSeconds the keep alive enforced (0: none)
 * @param serverKeepAlive  the keep alive the broker imposes on a 5.0 client, or -1 when it took the client's
 * @param sessionExpiry    seconds the session outlives the connection ({@link Session#NEVER_EXPIRES}: forever)
 * @param grantedExpiry    the expiry to announce when it differs from the one asked for, else -1
 */
record ConnectTerms(String clientId, String assignedClientId, ClientLimits limits, boolean cleanStart,
                    int keepAliveSeconds, int serverKeepAlive, long sessionExpiry, long grantedExpiry) {

    /** Negotiates the terms, or returns {@code null} when the client id is refused (CONNACK 0x85 / 0x02). */
    static ConnectTerms negotiate(Connect connect, MqttConfig config) {
        MqttVersion version = connect.version();
        String id = connect.clientId();
        String assigned = null;
        if (id.isEmpty()) {
            // [MQTT-3.1.3-7, MQTT-3.1.3-8]: an empty id needs a clean session in 3.1.1; 3.1 has no empty ids.
            boolean allowed = config.allowEmptyClientId() && version != MqttVersion.V3_1
                    && (connect.cleanStart() || version.isV5());
            if (!allowed) {
                return null;
            }
            id = "gannet-" + UUID.randomUUID();
            assigned = id;
        }
        int keepAlive = connect.keepAliveSeconds();
        int serverKeepAlive = -1;
        if (version.isV5() && (keepAlive == 0 || keepAlive > config.maxKeepAliveSeconds())
                && config.maxKeepAliveSeconds() < 65_535) {
            keepAlive = config.maxKeepAliveSeconds(); // Server Keep Alive overrides the client's [MQTT-3.2.2-21]
            serverKeepAlive = keepAlive;
        }
        long expiry;
        long granted = -1;
        if (version.isV5()) {
            long requested = connect.properties().number(PropertyId.SESSION_EXPIRY_INTERVAL, 0);
            expiry = Math.min(requested, config.maxSessionExpirySeconds());
            granted = expiry == requested ? -1 : expiry;
        } else {
            expiry = connect.cleanStart() ? 0 : Session.NEVER_EXPIRES; // 3.1.1 sessions never expire
        }
        return new ConnectTerms(id, assigned, ClientLimits.of(connect), connect.cleanStart(), keepAlive,
                serverKeepAlive, expiry, granted);
    }
}
