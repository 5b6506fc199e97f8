package io.gannet.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An immutable set of MQTT 5.0 properties. Values are kept in an array indexed by property identifier; user
 * properties and subscription identifiers, which may repeat, are kept in order in lists. Most packets carry no
 * properties and share {@link #EMPTY}, so a plain QoS 0 PUBLISH costs nothing here.
 *
 * <p>Binary values are handed out as stored: callers must not modify the returned arrays.
 */
public final class MqttProperties {
    public static final MqttProperties EMPTY = new MqttProperties(new Object[PropertyId.MAX_ID + 1], List.of(),
            List.of());

    private final Object[] values;
    private final List<UserProperty> userProperties;
    private final List<Integer> subscriptionIdentifiers;
    /** Body length on the wire, without the length prefix; computed on first use. Racy but idempotent. */
    private int encodedLength = -1;

    private MqttProperties(Object[] values, List<UserProperty> userProperties, List<Integer> subscriptionIdentifiers) {
        this.values = values;
        this.userProperties = userProperties;
        this.subscriptionIdentifiers = subscriptionIdentifiers;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        if (this != EMPTY) {
            b.values = values;
            b.valuesShared = true; // copied on the builder's first change: removing nothing costs nothing
            b.userProperties = userProperties.isEmpty() ? null : new ArrayList<>(userProperties);
            b.subscriptionIdentifiers = subscriptionIdentifiers.isEmpty() ? null
                    : new ArrayList<>(subscriptionIdentifiers);
        }
        return b;
    }

    public boolean isEmpty() {
        return this == EMPTY; // build() hands out EMPTY for every empty set
    }

    public boolean has(PropertyId id) {
        return switch (id) {
            case USER_PROPERTY -> !userProperties.isEmpty();
            case SUBSCRIPTION_IDENTIFIER -> !subscriptionIdentifiers.isEmpty();
            default -> values[id.id()] != null;
        };
    }

    /** The value of a numeric property (4-byte values unsigned), or {@code defaultValue} when absent. */
    public long number(PropertyId id, long defaultValue) {
        if (id == PropertyId.SUBSCRIPTION_IDENTIFIER) {
            return subscriptionIdentifiers.isEmpty() ? defaultValue : subscriptionIdentifiers.get(0);
        }
        Object v = values[id.id()];
        return v == null ? defaultValue : (Long) v;
    }

    /** The value of a UTF-8 string property, or {@code null} when absent. */
    public String string(PropertyId id) {
        return (String) values[id.id()];
    }

    /** The value of a binary property, or {@code null} when absent. */
    public byte[] binary(PropertyId id) {
        return (byte[]) values[id.id()];
    }

    public List<UserProperty> userProperties() {
        return userProperties;
    }

    public List<Integer> subscriptionIdentifiers() {
        return subscriptionIdentifiers;
    }

    /**
     * The properties as MQTT 5.0 puts them on the wire, Property Length first: the form a store keeps them in, read
     * back with {@link #fromWire}. {@link #EMPTY} is one byte.
     */
    public byte[] toWire() {
        ByteBuf out = Unpooled.buffer(PropertiesCodec.size(this));
        try {
            PropertiesCodec.write(out, this);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * Reads properties written by {@link #toWire}.
     *
     * @throws MalformedPacketException when {@code wire} is not a property section
     */
    public static MqttProperties fromWire(byte[] wire) {
        ByteBuf in = Unpooled.wrappedBuffer(wire);
        try {
            MqttProperties p = PropertiesCodec.read(in, PropertyId.Scope.ALL);
            if (in.isReadable()) {
                throw MalformedPacketException.malformed(in.readableBytes() + " bytes after the properties");
            }
            return p;
        } finally {
            in.release();
        }
    }

    /** The length of the encoded properties, without the Variable Byte Integer that prefixes them. */
    public int encodedLength() {
        int len = encodedLength;
        if (len < 0) {
            len = computeEncodedLength();
            encodedLength = len;
        }
        return len;
    }

    private int computeEncodedLength() {
        int len = 0;
        for (PropertyId p : PropertyId.ALL) {
            Object v = values[p.id()];
            if (v == null) {
                continue;
            }
            len += 1 + switch (p.type()) {
                case BYTE -> 1;
                case TWO_BYTE -> 2;
                case FOUR_BYTE -> 4;
                case VARINT -> MqttWire.varIntSize((int) (long) (Long) v);
                case UTF8 -> MqttWire.utf8Size((String) v);
                case BINARY -> 2 + ((byte[]) v).length;
                case STRING_PAIR -> throw new IllegalStateException("pairs are kept apart");
            };
        }
        for (int i = 0; i < userProperties.size(); i++) { // indexed: no iterator per packet
            UserProperty u = userProperties.get(i);
            len += 1 + MqttWire.utf8Size(u.name()) + MqttWire.utf8Size(u.value());
        }
        for (int i = 0; i < subscriptionIdentifiers.size(); i++) {
            len += 1 + MqttWire.varIntSize(subscriptionIdentifiers.get(i));
        }
        return len;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MqttProperties other && Arrays.deepEquals(values, other.values)
                && userProperties.equals(other.userProperties)
                && subscriptionIdentifiers.equals(other.subscriptionIdentifiers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.deepHashCode(values), userProperties, subscriptionIdentifiers);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (PropertyId p : PropertyId.ALL) {
            Object v = values[p.id()];
            if (v != null) {
                sb.append(sb.length() > 1 ? ", " : "").append(p).append('=')
                        .append(v instanceof byte[] b ? b.length + " bytes" : v);
            }
        }
        if (!userProperties.isEmpty()) {
            sb.append(sb.length() > 1 ? ", " : "").append("USER_PROPERTY=").append(userProperties);
        }
        if (!subscriptionIdentifiers.isEmpty()) {
            sb.append(sb.length() > 1 ? ", " : "").append("SUBSCRIPTION_IDENTIFIER=").append(subscriptionIdentifiers);
        }
        return sb.append('}').toString();
    }

    /**
     * Collects properties; a later value for a non-repeatable property replaces the earlier one. A builder allocates
     * nothing until a property is set, and {@link #build()} hands its array to the properties it makes rather than
     * copying it: a CONNECT or CONNACK with a few properties makes one array, not three.
     */
    public static final class Builder {
        private Object[] values;
        /** Whether {@link #values} also belongs to built properties (or to the ones this builder started from). */
        private boolean valuesShared;
        private List<UserProperty> userProperties;
        private List<Integer> subscriptionIdentifiers;

        private Builder() {
        }

        /** The array to write into: made on the first property, copied first if built properties share it. */
        private Object[] writableValues() {
            if (values == null) {
                values = new Object[PropertyId.MAX_ID + 1];
            } else if (valuesShared) {
                values = values.clone();
            }
            valuesShared = false;
            return values;
        }

        public Builder number(PropertyId id, long value) {
            if (!id.type().isNumeric()) {
                throw new IllegalArgumentException(id + " is not numeric");
            }
            if (!id.inRange(value)) {
                throw new IllegalArgumentException(id + " out of range: " + value);
            }
            if (id == PropertyId.SUBSCRIPTION_IDENTIFIER) {
                if (subscriptionIdentifiers == null) {
                    subscriptionIdentifiers = new ArrayList<>(1);
                }
                subscriptionIdentifiers.add((int) value);
            } else {
                writableValues()[id.id()] = value;
            }
            return this;
        }

        public Builder string(PropertyId id, String value) {
            if (id.type() != PropertyId.Type.UTF8) {
                throw new IllegalArgumentException(id + " is not a string");
            }
            writableValues()[id.id()] = Objects.requireNonNull(value, "value");
            return this;
        }

        public Builder binary(PropertyId id, byte[] value) {
            if (id.type() != PropertyId.Type.BINARY) {
                throw new IllegalArgumentException(id + " is not binary");
            }
            writableValues()[id.id()] = Objects.requireNonNull(value, "value");
            return this;
        }

        public Builder userProperty(String name, String value) {
            if (userProperties == null) {
                userProperties = new ArrayList<>(2);
            }
            userProperties.add(new UserProperty(name, value));
            return this;
        }

        /** Removes a property; for the repeatable ones, every occurrence. */
        public Builder remove(PropertyId id) {
            switch (id) {
                case USER_PROPERTY -> userProperties = null;
                case SUBSCRIPTION_IDENTIFIER -> subscriptionIdentifiers = null;
                default -> {
                    if (values != null && values[id.id()] != null) {
                        writableValues()[id.id()] = null;
                    }
                }
            }
            return this;
        }

        /** Whether the builder already holds a value for a non-repeatable property. */
        boolean has(PropertyId id) {
            return values != null && values[id.id()] != null;
        }

        public MqttProperties build() {
            boolean empty = userProperties == null && subscriptionIdentifiers == null;
            if (values != null) {
                for (Object v : values) {
                    empty &= v == null;
                }
            }
            if (empty) {
                return EMPTY;
            }
            valuesShared = values != null;
            return new MqttProperties(values == null ? EMPTY.values : values,
                    userProperties == null ? List.of() : List.copyOf(userProperties),
                    subscriptionIdentifiers == null ? List.of()
                            : Collections.unmodifiableList(new ArrayList<>(subscriptionIdentifiers)));
        }
    }
}
