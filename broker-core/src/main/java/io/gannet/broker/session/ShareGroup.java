package io.gannet.broker.session;

/**
 * The shared subscription group a delivery came through, as a session sees it: when the session's client leaves
 * with a message of the group unacknowledged, the group picks another member for it (spec 4.8.2).
 */
public interface ShareGroup {
    /**
     * The member for the next message: a connected one other than {@code exclude} where there is one, else any
     * other; {@code null} when there is no other member.
     */
    Subscription pick(Session exclude);

    /** The group as a client names it: {@code $share/{name}/{filter}}. */
    String key();
}
