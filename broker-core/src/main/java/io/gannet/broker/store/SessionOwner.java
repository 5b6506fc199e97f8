package io.gannet.broker.store;

/**
 * Who a session belongs to: the identity its client authenticated with, recorded when the session is created and
 * each time a client resumes it, so that a durable store and a cluster can keep it with the session.
 *
 * @param username           the user name the client authenticated as (the authenticator's, where it named one), or
 *                           {@code null} for an anonymous client
 * @param certificateSubject the subject of the client's TLS certificate, or {@code null} without one
 */
public record SessionOwner(String username, String certificateSubject) {
    /** A client with neither a user name nor a certificate. */
    public static final SessionOwner ANONYMOUS = new SessionOwner(null, null);
}
