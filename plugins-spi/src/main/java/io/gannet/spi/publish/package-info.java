/**
 * Application messages as plugins see them, and the publish interceptors that may change, drop or hold them.
 */
package io.gannet.spi.publish;
