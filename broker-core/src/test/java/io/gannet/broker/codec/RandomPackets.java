package io.gannet.broker.codec;

import io.gannet.broker.codec.PropertyId.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Makes random valid packets of every type for a protocol version, from a seed, so that a failing case can be
 * replayed exactly. Strings mix ASCII, two-, three- and four-byte UTF-8 (surrogate pairs in Java).
 */
final class RandomPackets {
    private static final String[] PIECES = {"a", "b", "sensor", "temp", "é", "中", "😀", "x y", "$", "-", "_", "0"};

    private final Random random;
    private final MqttVersion version;

    RandomPackets(long seed, MqttVersion version) {
        this.random = new Random(seed);
        this.version = version;
    }

    MqttPacket any(PacketType type) {
        boolean v5 = version.isV5();
        return switch (type) {
            case CONNECT -> connect();
            case CONNACK -> new ConnAck(random.nextBoolean(), v5 ? pick(0x00, 0x80, 0x85, 0x87, 0x9C) : random.nextInt(6),
                    props(Scope.CONNACK));
            case PUBLISH -> publish();
            case PUBACK -> new PubAck(packetId(), ackReason(), props(Scope.ACKS));
            case PUBREC -> new PubRec(packetId(), ackReason(), props(Scope.ACKS));
            case PUBREL -> new PubRel(packetId(), v5 ? pick(0x00, 0x92) : 0, props(Scope.ACKS));
            case PUBCOMP -> new PubComp(packetId(), v5 ? pick(0x00, 0x92) : 0, props(Scope.ACKS));
            case SUBSCRIBE -> subscribe();
            case SUBACK -> new SubAck(packetId(), codes(v5 ? new int[] {0, 1, 2, 0x80, 0x87, 0x8F} : new int[] {0, 1, 2,
                    0x80}), props(Scope.SUBACK));
            case UNSUBSCRIBE -> unsubscribe();
            case UNSUBACK -> v5 ? new UnsubAck(packetId(), codes(new int[] {0, 0x11, 0x87}), props(Scope.UNSUBACK))
                    : new UnsubAck(packetId(), List.of(), MqttProperties.EMPTY);
            case PINGREQ -> PingReq.INSTANCE;
            case PINGRESP -> PingResp.INSTANCE;
            case DISCONNECT -> v5 ? new Disconnect(pick(0x00, 0x04, 0x81, 0x8E), props(Scope.DISCONNECT))
                    : Disconnect.NORMAL;
            case AUTH -> new Auth(pick(0x00, 0x18, 0x19), props(Scope.AUTH));
        };
    }

    Connect connect() {
        boolean v5 = version.isV5();
        String username = random.nextBoolean() ? string(0, 3) : null;
        byte[] password = (username != null || v5) && random.nextBoolean() ? bytes(0, 20) : null;
        Connect.Will will = null;
        if (random.nextBoolean()) {
            will = new Connect.Will(topic(), bytes(0, 50), random.nextInt(3), random.nextBoolean(), props(Scope.WILL));
        }
        String clientId = version == MqttVersion.V3_1 ? "c" + random.nextInt(1000) : string(0, 3);
        return new Connect(version, clientId, random.nextBoolean(), random.nextInt(65536), username, password, will,
                props(Scope.CONNECT));
    }

    Publish publish() {
        int qos = random.nextInt(3);
        return new Publish(topic(), qos, qos > 0 && random.nextBoolean(), random.nextBoolean(), qos > 0 ? packetId() : 0,
                props(Scope.PUBLISH), bytes(0, 300));
    }

    Subscribe subscribe() {
        List<Subscribe.TopicSubscription> subs = new ArrayList<>();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            subs.add(version.isV5()
                    ? new Subscribe.TopicSubscription(filter(), random.nextInt(3), random.nextBoolean(),
                            random.nextBoolean(), random.nextInt(3))
                    : Subscribe.TopicSubscription.of(filter(), random.nextInt(3)));
        }
        MqttProperties props = MqttProperties.EMPTY;
        if (version.isV5()) {
            MqttProperties.Builder b = MqttProperties.builder();
            if (random.nextBoolean()) {
                b.number(PropertyId.SUBSCRIPTION_IDENTIFIER, 1 + random.nextInt(MqttWire.MAX_VAR_INT));
            }
            if (random.nextBoolean()) {
                b.userProperty(string(0, 2), string(0, 2));
            }
            props = b.build();
        }
        return new Subscribe(packetId(), subs, props);
    }

    Unsubscribe unsubscribe() {
        List<String> filters = new ArrayList<>();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            filters.add(filter());
        }
        return new Unsubscribe(packetId(), filters, version.isV5() && random.nextBoolean()
                ? MqttProperties.builder().userProperty("k", string(0, 2)).build() : MqttProperties.EMPTY);
    }

    /** Random properties allowed in {@code scope}, each in its valid range; none before 5.0. */
    MqttProperties props(int scope) {
        if (!version.isV5() || random.nextInt(3) == 0) {
            return MqttProperties.EMPTY;
        }
        MqttProperties.Builder b = MqttProperties.builder();
        for (PropertyId p : PropertyId.values()) {
            if (!p.allowedIn(scope) || random.nextInt(3) != 0) {
                continue;
            }
            int repeats = p.repeatable() ? 1 + random.nextInt(3) : 1;
            for (int i = 0; i < repeats; i++) {
                switch (p.type()) {
                    case BYTE -> b.number(p, random.nextInt(2));
                    case TWO_BYTE -> b.number(p, 1 + random.nextInt(65535));
                    case FOUR_BYTE -> b.number(p, 1 + (random.nextLong() & 0xFFFF_FFFEL));
                    case VARINT -> b.number(p, 1 + random.nextInt(MqttWire.MAX_VAR_INT));
                    case UTF8 -> b.string(p, string(0, 3));
                    case BINARY -> b.binary(p, bytes(0, 10));
                    case STRING_PAIR -> b.userProperty(string(0, 2), string(0, 2));
                }
            }
        }
        return b.build();
    }

    String topic() {
        StringBuilder sb = new StringBuilder(string(1, 2));
        int levels = random.nextInt(4);
        for (int i = 0; i < levels; i++) {
            sb.append('/').append(string(0, 2));
        }
        return sb.toString();
    }

    String filter() {
        StringBuilder sb = new StringBuilder();
        int levels = 1 + random.nextInt(4);
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                sb.append('/');
            }
            int r = random.nextInt(6);
            if (r == 0) {
                sb.append('+');
            } else if (r == 1 && i == levels - 1) {
                sb.append('#');
            } else {
                sb.append(string(1, 2));
            }
        }
        return sb.toString();
    }

    private String string(int minPieces, int maxPieces) {
        StringBuilder sb = new StringBuilder();
        int n = minPieces + random.nextInt(maxPieces - minPieces + 1);
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    private byte[] bytes(int min, int max) {
        byte[] b = new byte[min + random.nextInt(max - min + 1)];
        random.nextBytes(b);
        return b;
    }

    private int packetId() {
        return 1 + random.nextInt(65535);
    }

    private int ackReason() {
        return version.isV5() ? pick(0x00, 0x10, 0x80, 0x87, 0x97) : 0;
    }

    private List<Integer> codes(int[] allowed) {
        List<Integer> codes = new ArrayList<>();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            codes.add(allowed[random.nextInt(allowed.length)]);
        }
        return codes;
    }

    private int pick(int... values) {
        return values[random.nextInt(values.length)];
    }
}
