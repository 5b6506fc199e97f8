package io.gannet.broker.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder hands its array to what it builds: built properties must still never change afterwards. */
class MqttPropertiesTest {

    @Test
    void anEmptyBuilderBuildsTheSharedEmptySet() {
        assertThat(MqttProperties.builder().build()).isSameAs(MqttProperties.EMPTY);
        assertThat(MqttProperties.builder().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 5)
                .remove(PropertyId.MESSAGE_EXPIRY_INTERVAL).build()).isSameAs(MqttProperties.EMPTY);
        assertThat(MqttProperties.EMPTY.toBuilder().build()).isSameAs(MqttProperties.EMPTY);
    }

    @Test
    void changingTheBuilderAfterBuildLeavesWhatItBuiltAlone() {
        MqttProperties.Builder b = MqttProperties.builder().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 5)
                .string(PropertyId.CONTENT_TYPE, "text/plain").userProperty("a", "1");
        MqttProperties first = b.build();
        int firstLength = first.encodedLength();

        MqttProperties second = b.number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 9).remove(PropertyId.CONTENT_TYPE)
                .userProperty("b", "2").number(PropertyId.SUBSCRIPTION_IDENTIFIER, 3).build();

        assertThat(first.number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0)).isEqualTo(5);
        assertThat(first.string(PropertyId.CONTENT_TYPE)).isEqualTo("text/plain");
        assertThat(first.userProperties()).containsExactly(new UserProperty("a", "1"));
        assertThat(first.subscriptionIdentifiers()).isEmpty();
        assertThat(first.encodedLength()).isEqualTo(firstLength);

        assertThat(second.number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0)).isEqualTo(9);
        assertThat(second.has(PropertyId.CONTENT_TYPE)).isFalse();
        assertThat(second.userProperties()).containsExactly(new UserProperty("a", "1"), new UserProperty("b", "2"));
        assertThat(second.subscriptionIdentifiers()).containsExactly(3);
    }

    @Test
    void aBuilderStartedFromPropertiesCopiesThemOnItsFirstChangeOnly() {
        MqttProperties original = MqttProperties.builder().number(PropertyId.TOPIC_ALIAS, 4)
                .number(PropertyId.SUBSCRIPTION_IDENTIFIER, 7).userProperty("k", "v").build();

        MqttProperties unchanged = original.toBuilder().remove(PropertyId.RESPONSE_TOPIC).build();
        MqttProperties changed = original.toBuilder().remove(PropertyId.TOPIC_ALIAS)
                .number(PropertyId.SUBSCRIPTION_IDENTIFIER, 8).userProperty("k2", "v2").build();

        assertThat(unchanged).isEqualTo(original);
        assertThat(original.number(PropertyId.TOPIC_ALIAS, 0)).isEqualTo(4);
        assertThat(original.subscriptionIdentifiers()).isEqualTo(List.of(7));
        assertThat(original.userProperties()).hasSize(1);
        assertThat(changed.has(PropertyId.TOPIC_ALIAS)).isFalse();
        assertThat(changed.subscriptionIdentifiers()).containsExactly(7, 8);
        assertThat(changed.userProperties()).hasSize(2);
    }

    @Test
    void onlyUserPropertiesNeedNoValueArray() {
        MqttProperties p = MqttProperties.builder().userProperty("x", "y").build();
        assertThat(p.isEmpty()).isFalse();
        assertThat(p.has(PropertyId.CONTENT_TYPE)).isFalse();
        MqttProperties q = p.toBuilder().string(PropertyId.CONTENT_TYPE, "a").build();
        assertThat(q.string(PropertyId.CONTENT_TYPE)).isEqualTo("a");
        assertThat(p.has(PropertyId.CONTENT_TYPE)).isFalse();
        assertThat(MqttProperties.EMPTY.has(PropertyId.CONTENT_TYPE)).isFalse();
    }
}
