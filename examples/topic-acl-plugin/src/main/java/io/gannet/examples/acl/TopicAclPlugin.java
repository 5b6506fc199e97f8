package io.gannet.examples.acl;

import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import io.gannet.spi.auth.AuthorizationRequest;
import io.gannet.spi.auth.AuthorizationResult;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An example plugin: each user may publish and subscribe only below {@code <prefix>/<username>/}, and only the
 * users listed under {@code admins} may read {@code $SYS}. Configured in {@code gannet.yaml}:
 *
 * <pre>
 * plugins:
 *   topic-acl:
 *     prefix: topics
 *     admins: [alice]
 * </pre>
 *
 * Its decisions are immediate, so it returns completed stages; a plugin that asks a database would complete them
 * later, from its own thread.
 */
public final class TopicAclPlugin implements Plugin {
    @Override
    public void start(PluginContext context) {
        context.config().requireOnly(Set.of("prefix", "admins"));
        String prefix = context.config().string("prefix", "topics");
        List<String> admins = context.config().strings("admins");
        context.logger().info("Users may use topics below {}/<username>/; $SYS readers: {}", prefix, admins);
        context.registerAuthorizer(request -> decide(request, prefix, admins));
    }

    static CompletionStage<AuthorizationResult> decide(AuthorizationRequest request, String prefix,
                                                       List<String> admins) {
        String user = request.client().username().orElse(null);
        String topic = request.topic();
        boolean allowed;
        if (user == null) {
            allowed = false;
        } else if (topic.startsWith("$SYS/")) {
            allowed = request.action() == AuthorizationRequest.Action.SUBSCRIBE && admins.contains(user);
        } else {
            allowed = topic.startsWith(prefix + "/" + user + "/");
        }
        return CompletableFuture.completedFuture(allowed ? AuthorizationResult.ALLOW : AuthorizationResult.DENY);
    }
}
