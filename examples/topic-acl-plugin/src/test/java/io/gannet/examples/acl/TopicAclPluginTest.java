package io.gannet.examples.acl;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.gannet.broker.Broker;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How to test a plugin: embed it in a real broker and talk to it with a real client. */
class TopicAclPluginTest {
    private Broker broker;

    @BeforeEach
    void start() throws Exception {
        GannetConfig config = ConfigLoader.fromMap(Map.of("plugins",
                Map.of("TopicAclPlugin", Map.of("prefix", "t", "admins", List.of("alice")))))
                .withListeners(List.of(new ListenerConfig("test", "127.0.0.1", 0, "mqtt")));
        broker = new Broker(config).embed(new TopicAclPlugin()).start();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Mqtt5BlockingClient connect(String user) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(user).serverHost("127.0.0.1")
                .serverPort(broker.address("test").getPort()).buildBlocking();
        c.connectWith().simpleAuth().username(user).applySimpleAuth().send();
        return c;
    }

    @Test
    void usersStayBelowTheirOwnPrefix() {
        Mqtt5BlockingClient bob = connect("bob");
        bob.publishWith().topic("t/bob/temp").qos(MqttQos.AT_LEAST_ONCE)
                .payload("20".getBytes(StandardCharsets.UTF_8)).send();
        try {
            bob.publishWith().topic("t/alice/temp").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("20".getBytes(StandardCharsets.UTF_8)).send();
            throw new AssertionError("publishing to another user's topics must be refused");
        } catch (Mqtt5PubAckException refused) {
            assertThat(refused.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87);
        }
        bob.disconnect();
    }

    @Test
    void onlyAdminsReadSys() {
        Mqtt5BlockingClient alice = connect("alice");
        assertThat(alice.subscribeWith().topicFilter("$SYS/#").send().getReasonCodes())
                .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
        alice.disconnect();
        Mqtt5BlockingClient bob = connect("bob");
        try {
            bob.subscribeWith().topicFilter("$SYS/#").send();
            throw new AssertionError("bob is not an admin");
        } catch (Mqtt5SubAckException refused) {
            assertThat(refused.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        }
        bob.disconnect();
    }
}
