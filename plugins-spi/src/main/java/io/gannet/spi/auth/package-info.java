/**
 * Authentication hooks: who may connect.
 */
package io.gannet.spi.auth;
