package io.gannet.broker.codec;

import java.util.List;

/** SUBACK (section 3.9): one reason code (granted QoS or failure) per filter of the SUBSCRIBE, in order. */
public record SubAck(int packetId, List<Integer> reasonCodes, MqttProperties properties) implements MqttPacket {
    public SubAck {
        reasonCodes = List.copyOf(reasonCodes);
    }

    @Override
    public PacketType type() {
        return PacketType.SUBACK;
    }
}
