package io.gannet.plugin.auth;

import io.gannet.spi.ClientInfo;
import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import io.gannet.spi.auth.AuthenticationRequest;
import io.gannet.spi.auth.AuthenticationResult;
import io.gannet.spi.auth.AuthenticationResult.Refusal;
import io.gannet.spi.auth.AuthorizationRequest;
import io.gannet.spi.auth.AuthorizationResult;
import io.gannet.spi.metrics.Counter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * File-based authentication and authorization: users and their password hashes in a password file (written by
 * {@code gannet-passwd}), access rules in an ACL file, anonymous access allowed per listener. Both files are
 * re-read when they change. Everything the rules do not grant is denied.
 *
 * <p>Password checks are deliberately slow (PBKDF2), so they run on the plugin's own threads, never on a network
 * event loop, with a bounded queue ({@code hash-queue}; past it a login is refused as "server busy"). Failed logins
 * are logged with the remote address (never the password), counted, and answered more slowly each time from the
 * same address, up to {@code max-failure-delay-ms}; an attempt from that address before the delay has passed is
 * refused without hashing ({@link LoginThrottle}).
 *
 * <p>When the password file loses a user, that user's connected clients are disconnected and their sessions ended;
 * when the ACL changes, the broker re-checks every subscription ({@code invalidateAuthorizations}).
 *
 * <p>With {@code certificate-username: cn} (or {@code san}), a client that presented a certificate in mutual TLS
 * is authenticated by it alone, as the certificate's subject CN (or first DNS / e-mail subject alternative name),
 * and the ACL sees that name; the TLS plugin must require client certificates checked against a CA.
 */
public final class AuthPlugin implements Plugin {
    static final Set<String> KEYS = Set.of("password-file", "acl-file", "anonymous-listeners", "reload-interval-seconds",
            "failure-delay-ms", "max-failure-delay-ms", "hash-threads", "hash-queue", "certificate-username");

    private volatile Map<String, PasswordHash> users = Map.of();
    private volatile Acl acl = Acl.DENY_ALL;
    private final AtomicLong failures = new AtomicLong();
    /** User names that logged in with a password: when the file drops one, its clients are disconnected. */
    private final Set<String> passwordUsers = ConcurrentHashMap.newKeySet();
    private LoginThrottle throttle;
    private ExecutorService hashing;
    private Logger log;
    private Counter failedCount;
    private Counter throttledCount;
    private Counter busyCount;
    private Counter abandonedCount;

    @Override
    public void start(PluginContext context) throws IOException {
        context.config().requireOnly(KEYS);
        log = context.logger();
        Path passwordFile = context.config().path("password-file", "conf/passwords");
        Path aclFile = context.config().path("acl-file", "conf/acl");
        List<String> anonymous = context.config().strings("anonymous-listeners");
        long reloadSeconds = context.config().integer("reload-interval-seconds", 5, 0, 3600);
        long delayStep = context.config().integer("failure-delay-ms", 500, 0, 60_000);
        long delayMax = context.config().integer("max-failure-delay-ms", 4_000, 0, 600_000);
        int threads = (int) context.config().integer("hash-threads", 2, 1, 64);
        int queue = (int) context.config().integer("hash-queue", 128, 1, 100_000);
        String certificateUsername = context.config().string("certificate-username", "none");
        if (!List.of("none", "cn", "san").contains(certificateUsername)) {
            throw new io.gannet.spi.PluginConfigException("plugins." + context.name() + ".certificate-username: '"
                    + certificateUsername + "' is not a valid value; allowed: none, cn, san");
        }
        // Bounded: a flood of CONNECTs with passwords is refused as "busy" instead of queueing without end.
        hashing = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, "gannet-auth-hash");
                    t.setDaemon(true);
                    return t;
                });
        throttle = new LoginThrottle(delayStep, delayMax, System::currentTimeMillis);
        failedCount = context.metrics().counter("logins/failed");
        throttledCount = context.metrics().counter("logins/throttled");
        busyCount = context.metrics().counter("logins/busy");
        abandonedCount = context.metrics().counter("logins/abandoned");
        context.scheduler().scheduleWithFixedDelay(throttle::expire, 1, 1, TimeUnit.MINUTES);
        FileWatch watch = new FileWatch(passwordFile, aclFile);
        reload(watch, context, true);
        if (users.isEmpty()) {
            log.warn("No users in {}. Add one with: bin/gannet-passwd {} <username>", passwordFile, passwordFile);
        }
        if (reloadSeconds > 0) {
            context.scheduler().scheduleWithFixedDelay(() -> reload(watch, context, false), reloadSeconds,
                    reloadSeconds, TimeUnit.SECONDS);
        }
        context.registerAuthenticator(request -> {
            String fromCertificate = CertificateNames.username(request.certificateChain(), certificateUsername);
            if (fromCertificate != null) {
                // The TLS layer verified the chain against the configured CA: the certificate is the credential.
                return CompletableFuture.completedFuture(AuthenticationResult.success(fromCertificate));
            }
            return authenticate(request, anonymous, context, delayStep, delayMax);
        });
        context.registerAuthorizer(this::authorize);
    }

    @Override
    public void stop() {
        if (hashing != null) {
            hashing.shutdownNow();
        }
    }

    /** Failed authentications since start, for tests and (later) metrics. */
    long failures() {
        return failures.get();
    }

    private CompletionStage<AuthenticationResult> authenticate(AuthenticationRequest request, List<String> anonymous,
                                                               PluginContext context, long delayStep,
                                                               long delayMax) {
        if (request.username().isEmpty()) {
            return CompletableFuture.completedFuture(anonymous.contains(request.listenerName())
                    ? AuthenticationResult.success()
                    : AuthenticationResult.refuse(Refusal.NOT_AUTHORIZED, "user name required on this listener"));
        }
        String user = request.username().get();
        byte[] password = request.password().orElse(new byte[0]);
        String address = request.remoteAddress() == null ? "unknown"
                : request.remoteAddress().getAddress().getHostAddress();
        long wait = throttle.waitMillis(address);
        if (wait > 0) {
            throttledCount.increment();
            return CompletableFuture.completedFuture(AuthenticationResult.refuse(Refusal.BANNED,
                    "too many failed logins from this address; try again in " + wait + " ms"));
        }
        CompletableFuture<Boolean> checked;
        try {
            // A client that left while waiting for its turn is not worth a hash: a flood of CONNECTs that close at
            // once would otherwise keep the queue busy for the real ones behind it.
            checked = CompletableFuture.supplyAsync(() -> request.isConnectionOpen() ? check(user, password) : null,
                    hashing);
        } catch (RejectedExecutionException full) {
            busyCount.increment();
            return CompletableFuture.completedFuture(AuthenticationResult.refuse(Refusal.SERVER_UNAVAILABLE,
                    "too many logins at once; try again"));
        }
        return checked.thenCompose(ok -> {
            if (ok == null) {
                abandonedCount.increment();
                return CompletableFuture.completedFuture(AuthenticationResult.refuse(Refusal.NOT_AUTHORIZED,
                        "the client left before its password was checked"));
            }
            if (ok) {
                throttle.succeeded(address);
                passwordUsers.add(user);
                return CompletableFuture.completedFuture(AuthenticationResult.success());
            }
            failures.incrementAndGet();
            failedCount.increment();
            int n = throttle.failed(address);
            log.warn("Authentication failed for user '{}' from {} ({} failures from there)", user, address, n);
            AuthenticationResult refusal = AuthenticationResult.refuse(Refusal.BAD_CREDENTIALS,
                    "bad user name or password");
            long delay = throttle.delayMillis(n);
            if (delay == 0) {
                return CompletableFuture.completedFuture(refusal);
            }
            // Slower answers to repeated failures from one address, without holding a thread.
            CompletableFuture<AuthenticationResult> later = new CompletableFuture<>();
            context.scheduler().schedule(() -> later.complete(refusal), delay, TimeUnit.MILLISECONDS);
            return later;
        });
    }

    private boolean check(String user, byte[] passwordBytes) {
        PasswordHash hash = users.get(user);
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(passwordBytes));
        char[] password = new char[chars.remaining()];
        chars.get(password);
        try {
            // Hash even for an unknown user, so the time taken does not tell which users exist.
            PasswordHash against = hash != null ? hash : DUMMY;
            return against.matches(password) && hash != null;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static final PasswordHash DUMMY = PasswordHash.create("dummy".toCharArray(),
            PasswordHash.DEFAULT_ITERATIONS);

    private CompletionStage<AuthorizationResult> authorize(AuthorizationRequest request) {
        String user = request.client().username().orElse(null);
        String clientId = request.client().clientId();
        String listener = request.client().listenerName();
        boolean allowed = request.action() == AuthorizationRequest.Action.PUBLISH
                ? acl.mayWrite(user, clientId, listener, request.topic())
                : acl.mayRead(user, clientId, listener, request.topic(), request.shareName().orElse(null));
        return CompletableFuture.completedFuture(allowed ? AuthorizationResult.ALLOW : AuthorizationResult.DENY);
    }

    /** Re-reads a file that changed; a broken file keeps the previous rules and is reported. */
    private void reload(FileWatch watch, PluginContext context, boolean first) {
        try {
            if (first || watch.passwordsChanged()) {
                users = Files.exists(watch.passwords) ? PasswordFile.read(watch.passwords) : Map.of();
                if (!first) {
                    log.info("Reloaded {} ({} users)", watch.passwords, users.size());
                    disconnectRemovedUsers(context);
                }
            }
            if (first || watch.aclChanged()) {
                acl = Files.exists(watch.acl) ? Acl.read(watch.acl) : Acl.DENY_ALL;
                if (!Files.exists(watch.acl)) {
                    log.warn("No ACL file at {}: every PUBLISH and SUBSCRIBE is denied", watch.acl);
                }
                if (!first) {
                    log.info("Reloaded {}", watch.acl);
                }
                context.invalidateAuthorizations();
            }
        } catch (IOException | IllegalArgumentException e) {
            if (first) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            log.error("Keeping the previous users and rules: {}", e.getMessage());
        }
    }

    /** Users who logged in with a password and are no longer in the file lose their connections and sessions. */
    private void disconnectRemovedUsers(PluginContext context) {
        Map<String, PasswordHash> now = users;
        passwordUsers.removeIf(user -> {
            if (now.containsKey(user)) {
                return false;
            }
            for (ClientInfo c : context.clients().connectedClients()) {
                if (c.username().filter(user::equals).isPresent()) {
                    log.info("User '{}' was removed: disconnecting client {}", user, c.clientId());
                    context.clients().disconnect(c.clientId(), "user removed", true);
                }
            }
            return true;
        });
    }

    /** Notices changes to the two files by modification time and size. */
    private static final class FileWatch {
        final Path passwords;
        final Path acl;
        private String passwordsStamp;
        private String aclStamp;

        FileWatch(Path passwords, Path acl) {
            this.passwords = passwords;
            this.acl = acl;
            this.passwordsStamp = stamp(passwords);
            this.aclStamp = stamp(acl);
        }

        boolean passwordsChanged() {
            String now = stamp(passwords);
            boolean changed = !now.equals(passwordsStamp);
            passwordsStamp = now;
            return changed;
        }

        boolean aclChanged() {
            String now = stamp(acl);
            boolean changed = !now.equals(aclStamp);
            aclStamp = now;
            return changed;
        }

        private static String stamp(Path p) {
            try {
                FileTime t = Files.getLastModifiedTime(p);
                return t.toMillis() + ":" + Files.size(p);
            } catch (IOException e) {
                return "absent";
            }
        }
    }
}
