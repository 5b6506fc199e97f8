package io.gannet.broker.store;

/**
 * A QoS 1 or 2 message sent to the client and not yet acknowledged.
 *
 * @param packetId the packet id it was sent under; a recovered session sends it again under the same id
 * @param released for QoS 2: PUBREC came and PUBREL was sent, so the session waits for PUBCOMP
 */
public record InflightMessage(StoredMessage delivery, int packetId, boolean released) {
}
