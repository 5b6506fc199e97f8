package io.gannet.broker.codec;

import java.util.List;

/** SUBSCRIBE (section 3.8): one or more topic filters, each with its subscription options. */
public record Subscribe(int packetId, List<TopicSubscription> subscriptions, MqttProperties properties)
        implements MqttPacket {

    public Subscribe {
        subscriptions = List.copyOf(subscriptions);
    }

    @Override
    public PacketType type() {
        return PacketType.SUBSCRIBE;
    }

    /**
     * One filter of a SUBSCRIBE with its options (section 3.8.3.1). No Local, Retain As Published and Retain
     * Handling exist only in 5.0; a 3.x subscription has them false, false and 0.
     */
    public record TopicSubscription(String filter, int qos, boolean noLocal, boolean retainAsPublished,
                                    int retainHandling) {
        public static TopicSubscription of(String filter, int qos) {
            return new TopicSubscription(filter, qos, false, false, 0);
        }
    }
}
