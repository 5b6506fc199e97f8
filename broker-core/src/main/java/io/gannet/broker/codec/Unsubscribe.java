package io.gannet.broker.codec;

import java.util.List;

/** UNSUBSCRIBE (section 3.10). */
public record Unsubscribe(int packetId, List<String> filters, MqttProperties properties) implements MqttPacket {
    public Unsubscribe {
        filters = List.copyOf(filters);
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBSCRIBE;
    }
}
