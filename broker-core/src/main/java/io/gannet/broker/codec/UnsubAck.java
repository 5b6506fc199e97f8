package io.gannet.broker.codec;

import java.util.List;

/** UNSUBACK (section 3.11). Reason codes exist only in 5.0; a 3.x UNSUBACK has none. */
public record UnsubAck(int packetId, List<Integer> reasonCodes, MqttProperties properties) implements MqttPacket {
    public UnsubAck {
        reasonCodes = List.copyOf(reasonCodes);
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBACK;
    }
}
