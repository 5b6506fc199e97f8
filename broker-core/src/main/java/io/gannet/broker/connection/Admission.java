package io.gannet.broker.connection;

import io.gannet.broker.auth.Authenticator;
import io.gannet.broker.auth.EnhancedAuthenticator;
import io.gannet.broker.config.MqttConfig;
import io.gannet.broker.publish.PublishPipeline;
import io.gannet.broker.session.SessionContext;
import io.gannet.broker.session.SessionRegistry;
import java.time.Clock;

/**
 * What letting a client in takes, the same for every connection: the CONNECT rules, who authenticates clients,
 * where their sessions are, and what a CONNACK announces. Assembled once by the broker.
 *
 * @param enhancedAuthenticator MQTT 5.0 enhanced authentication; {@link EnhancedAuthenticator#NONE} refuses every
 *                              method
 * @param sessionContext        what a new session is made with
 * @param connAckProperties     what a successful 5.0 CONNACK announces, built once from the configuration
 * @param clock                 the broker's clock, for wills' expiry
 */
public record Admission(MqttConfig mqtt, Authenticator authenticator, EnhancedAuthenticator enhancedAuthenticator,
                        SessionRegistry sessions, SessionContext sessionContext, ConnAckProperties connAckProperties,
                        Clock clock, PublishPipeline publishing, boolean requireAuthenticationMethod) {
}
