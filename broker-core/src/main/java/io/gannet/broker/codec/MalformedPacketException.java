package io.gannet.broker.codec;

/**
 * Thrown by the codec for input the spec forbids. It carries the MQTT 5.0 reason code the broker answers with
 * (0x81 malformed, 0x82 protocol error, 0x95 packet too large, ...). Stackless: bad input from the network is
 * expected, and the message already says what was wrong.
 */
public final class MalformedPacketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int reasonCode;

    public MalformedPacketException(int reasonCode, String message) {
        super(message, null, false, false);
        this.reasonCode = reasonCode;
    }

    public static MalformedPacketException malformed(String message) {
        return new MalformedPacketException(ReasonCode.MALFORMED_PACKET, message);
    }

    public static MalformedPacketException protocolError(String message) {
        return new MalformedPacketException(ReasonCode.PROTOCOL_ERROR, message);
    }

    public int reasonCode() {
        return reasonCode;
    }
}
