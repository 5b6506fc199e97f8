package io.gannet.broker.codec;

import static io.gannet.broker.codec.MalformedPacketException.malformed;

import io.gannet.broker.codec.PropertyId.Scope;
import io.gannet.broker.topic.Topics;
import io.netty.buffer.ByteBuf;

/** Parses CONNECT (section 3.1) for 3.1, 3.1.1 and 5.0; the protocol name and level choose the rules. */
final class ConnectReader {
    private ConnectReader() {
    }

    /** Thrown for a protocol name or level Gannet does not speak; the broker answers with CONNACK 0x01. */
    static final class UnsupportedVersionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnsupportedVersionException(String message) {
            super(message, null, false, false);
        }
    }

    static Connect read(ByteBuf body) {
        String protocolName = MqttWire.readUtf8(body);
        int level = MqttWire.readUnsignedByte(body);
        MqttVersion version = MqttVersion.of(protocolName, level);
        if (version == null) {
            if (!protocolName.equals("MQTT") && !protocolName.equals("MQIsdp")) {
                throw malformed("unknown protocol name '" + protocolName + "' [MQTT-3.1.2-1]");
            }
            throw new UnsupportedVersionException("unsupported protocol " + protocolName + " level " + level);
        }
        int flags = MqttWire.readUnsignedByte(body);
        if ((flags & 0x01) != 0) {
            throw malformed("CONNECT reserved flag set [MQTT-3.1.2-3]");
        }
        boolean cleanStart = (flags & 0x02) != 0;
        boolean willFlag = (flags & 0x04) != 0;
        int willQos = (flags >> 3) & 3;
        boolean willRetain = (flags & 0x20) != 0;
        boolean passwordFlag = (flags & 0x40) != 0;
        boolean usernameFlag = (flags & 0x80) != 0;
        if (willQos == 3) {
            throw malformed("CONNECT will QoS 3 [MQTT-3.1.2-14]");
        }
        if (!willFlag && (willQos != 0 || willRetain)) {
            throw malformed("CONNECT will QoS or retain set without a will [MQTT-3.1.2-11, MQTT-3.1.2-13]");
        }
        if (!version.isV5() && passwordFlag && !usernameFlag) {
            throw malformed("CONNECT password without a user name [MQTT-3.1.2-22]");
        }
        int keepAlive = MqttWire.readUnsignedShort(body);
        MqttProperties props = version.isV5() ? PropertiesCodec.read(body, Scope.CONNECT) : MqttProperties.EMPTY;
        String clientId = MqttWire.readUtf8(body);
        Connect.Will will = null;
        if (willFlag) {
            MqttProperties willProps = version.isV5() ? PropertiesCodec.read(body, Scope.WILL) : MqttProperties.EMPTY;
            String willTopic = MqttWire.readUtf8(body);
            if (!Topics.isValidName(willTopic)) {
                throw malformed("will topic '" + willTopic + "' is not a valid topic name [MQTT-3.1.3-11]");
            }
            byte[] willPayload = MqttWire.readBinary(body);
            will = new Connect.Will(willTopic, willPayload, willQos, willRetain, willProps);
        }
        String username = usernameFlag ? MqttWire.readUtf8(body) : null;
        byte[] password = passwordFlag ? MqttWire.readBinary(body) : null;
        return new Connect(version, clientId, cleanStart, keepAlive, username, password, will, props);
    }
}
