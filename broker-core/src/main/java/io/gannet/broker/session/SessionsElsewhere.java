package io.gannet.broker.session;

import io.gannet.broker.store.SessionStore;

/**
 * What this broker does when a store shared by a cluster says that a client id's session or connection is on another
 * broker now: it finds the session here by client id and lets the session act on its own event loop.
 */
public final class SessionsElsewhere implements SessionStore.TakenOver {
    private final SessionRegistry sessions;

    public SessionsElsewhere(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @Override
    public void takenOver(String clientId, boolean resumed, boolean hostedThere) {
        Session taken = sessions.get(clientId);
        if (taken != null) {
            taken.takenOverElsewhere(resumed, hostedThere);
        } else if (hostedThere) {
            sessions.endHandOver(clientId);
        }
    }

    @Override
    public void hosted(String clientId) {
        sessions.endHandOver(clientId);
    }

    @Override
    public void connectedElsewhere(String clientId, long atMillis, boolean newSession, boolean winsTies) {
        Session here = sessions.get(clientId);
        if (here != null) {
            here.connectedElsewhere(atMillis, newSession, winsTies);
        }
    }
}
