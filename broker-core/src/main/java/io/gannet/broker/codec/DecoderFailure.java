package io.gannet.broker.codec;

/**
 * What the decoder passes up the pipeline instead of a packet when the input breaks the spec. The connection
 * handler is the one place that logs it, sends the answer the spec asks for and closes the connection.
 *
 * @param reasonCode     the 5.0 reason code for the answer (0x81, 0x82, 0x95, 0x84 ...)
 * @param message        what was wrong, for the log and the 5.0 Reason String
 * @param inConnect      whether the bad packet was the CONNECT, which is answered with CONNACK, not DISCONNECT
 * @param version        the protocol version of the connection, {@code null} when CONNECT did not say it
 */
public record DecoderFailure(int reasonCode, String message, boolean inConnect, MqttVersion version) {
}
