package io.gannet.broker.it;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.PubComp;
import io.gannet.broker.codec.PubRec;
import io.gannet.broker.codec.PubRel;
import io.gannet.broker.testing.RawClient;

/** Small 3.1.1 acknowledgement packets for raw-socket tests. */
final class Acks {
    private Acks() {
    }

    static byte[] puback(int id) {
        return RawClient.encode(new PubAck(id, 0, MqttProperties.EMPTY), MqttVersion.V3_1_1);
    }

    static byte[] pubrec(int id) {
        return RawClient.encode(new PubRec(id), MqttVersion.V3_1_1);
    }

    static byte[] pubrel(int id) {
        return RawClient.encode(new PubRel(id), MqttVersion.V3_1_1);
    }

    static byte[] pubcomp(int id) {
        return RawClient.encode(new PubComp(id), MqttVersion.V3_1_1);
    }
}
