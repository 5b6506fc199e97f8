package io.gannet.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an SPI interface that the broker implements and hands to plugins. Plugins call it but must not implement
 * it: the broker may add methods to such an interface in a minor release, which would break a plugin's own
 * implementation.
 *
 * @since 1.0
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface DoNotImplement {
}
