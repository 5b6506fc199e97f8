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

    /**
     * Whether a client that authenticated as {@code other} is the one this session belongs to, and may take it over:
     * the same user name where the session has one, else the same certificate subject, else another anonymous client.
     * A user name decides alone so that a user who logs in with a password one day and a certificate the next (mapped
     * to the same name) keeps the session.
     */
    public boolean admits(SessionOwner other) {
        if (username != null) {
            return username.equals(other.username);
        }
        if (certificateSubject != null) {
            return other.username == null && certificateSubject.equals(other.certificateSubject);
        }
        return other.username == null && other.certificateSubject == null;
    }
}
