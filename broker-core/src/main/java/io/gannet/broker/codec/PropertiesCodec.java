package io.gannet.broker.codec;

import static io.gannet.broker.codec.MalformedPacketException.malformed;
import static io.gannet.broker.codec.MalformedPacketException.protocolError;

import io.netty.buffer.ByteBuf;
import java.util.List;

/** Reads and writes the property section of 5.0 packets (section 2.2.2). */
final class PropertiesCodec {
    private PropertiesCodec() {
    }

    /**
     * Reads a Property Length and the properties it covers. An identifier the spec does not define, or one not
     * allowed in this place, is malformed [2.2.2.2]; a second copy of a non-repeatable property and a value out of
     * range are protocol errors.
     *
     * @param scope a {@link PropertyId.Scope} bit: where the properties stand
     */
    static MqttProperties read(ByteBuf in, int scope) {
        int length = MqttWire.readVarInt(in);
        MqttWire.need(in, length, "property section");
        if (length == 0) {
            return MqttProperties.EMPTY;
        }
        ByteBuf props = in.readSlice(length);
        MqttProperties.Builder b = MqttProperties.builder();
        while (props.isReadable()) {
            int id = MqttWire.readVarInt(props);
            PropertyId p = PropertyId.of(id);
            if (p == null) {
                throw malformed("unknown property identifier 0x" + Integer.toHexString(id));
            }
            if (!p.allowedIn(scope)) {
                throw malformed("property " + p + " is not allowed here");
            }
            if (!p.repeatable() && b.has(p)) {
                throw protocolError("property " + p + " appears twice");
            }
            switch (p.type()) {
                case BYTE -> b.number(p, checkRange(p, MqttWire.readUnsignedByte(props)));
                case TWO_BYTE -> b.number(p, checkRange(p, MqttWire.readUnsignedShort(props)));
                case FOUR_BYTE -> b.number(p, checkRange(p, MqttWire.readUnsignedInt(props)));
                case VARINT -> b.number(p, checkRange(p, MqttWire.readVarInt(props)));
                case UTF8 -> b.string(p, MqttWire.readUtf8(props));
                case BINARY -> b.binary(p, MqttWire.readBinary(props));
                case STRING_PAIR -> b.userProperty(MqttWire.readUtf8(props), MqttWire.readUtf8(props));
            }
        }
        return b.build();
    }

    private static long checkRange(PropertyId p, long value) {
        if (!p.inRange(value)) {
            throw protocolError("property " + p + " has the value " + value + ", which the spec does not allow");
        }
        return value;
    }

    /** The size of a property section on the wire, including the Property Length. */
    static int size(MqttProperties properties) {
        int len = properties.encodedLength();
        return MqttWire.varIntSize(len) + len;
    }

    static void write(ByteBuf out, MqttProperties properties) {
        MqttWire.writeVarInt(out, properties.encodedLength());
        if (properties.isEmpty()) {
            return;
        }
        for (PropertyId p : PropertyId.ALL) {
            if (p == PropertyId.USER_PROPERTY || p == PropertyId.SUBSCRIPTION_IDENTIFIER || !properties.has(p)) {
                continue;
            }
            out.writeByte(p.id());
            switch (p.type()) {
                case BYTE -> out.writeByte((int) properties.number(p, 0));
                case TWO_BYTE -> out.writeShort((int) properties.number(p, 0));
                case FOUR_BYTE -> out.writeInt((int) properties.number(p, 0));
                case VARINT -> MqttWire.writeVarInt(out, (int) properties.number(p, 0));
                case UTF8 -> MqttWire.writeUtf8(out, properties.string(p));
                case BINARY -> MqttWire.writeBinary(out, properties.binary(p));
                case STRING_PAIR -> throw new IllegalStateException("pairs are kept apart");
            }
        }
        // Indexed loops: no iterator for each packet written (the lists are List.of / List.copyOf, random access).
        List<UserProperty> users = properties.userProperties();
        for (int i = 0; i < users.size(); i++) {
            UserProperty u = users.get(i);
            out.writeByte(PropertyId.USER_PROPERTY.id());
            MqttWire.writeUtf8(out, u.name());
            MqttWire.writeUtf8(out, u.value());
        }
        List<Integer> ids = properties.subscriptionIdentifiers();
        for (int i = 0; i < ids.size(); i++) {
            out.writeByte(PropertyId.SUBSCRIPTION_IDENTIFIER.id());
            MqttWire.writeVarInt(out, ids.get(i));
        }
    }
}
