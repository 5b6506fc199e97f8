package io.gannet.spi.publish;

import io.gannet.spi.Stable;

/**
 * The reason code a 5.0 publisher gets in its PUBACK or PUBREC for a message an interceptor dropped. MQTT 3.1.1 has
 * no reason codes: its publisher gets a plain acknowledgement whatever the reason.
 *
 * @since 1.0
 */
@Stable
public enum AckReason {
    /** 0x00: accepted; the publisher does not learn that the message went no further. */
    SUCCESS(0x00),
    /** 0x10: accepted, but nobody subscribes. */
    NO_MATCHING_SUBSCRIBERS(0x10),
    /** 0x80: not accepted, no reason given. */
    UNSPECIFIED_ERROR(0x80),
    /** 0x83: valid, but the server does not accept it. */
    IMPLEMENTATION_SPECIFIC_ERROR(0x83),
    /** 0x87: the publisher may not publish this. */
    NOT_AUTHORIZED(0x87),
    /** 0x90: the topic name is not accepted. */
    TOPIC_NAME_INVALID(0x90),
    /** 0x97: a quota was exceeded. */
    QUOTA_EXCEEDED(0x97),
    /** 0x99: the payload does not match its Payload Format Indicator. */
    PAYLOAD_FORMAT_INVALID(0x99);

    private final int code;

    AckReason(int code) {
        this.code = code;
    }

    /** The MQTT 5.0 reason code. */
    public int code() {
        return code;
    }
}
