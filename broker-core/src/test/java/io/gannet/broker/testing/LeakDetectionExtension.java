package io.gannet.broker.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaked a Netty buffer. Registered for every test class through the JUnit service file;
 * it installs, before any buffer class is loaded, a leak detector at PARANOID (every buffer tracked) that records
 * leaks instead of only logging them. After each class it forces collection and a detector sweep, then fails if
 * anything leaked.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        sweep();
        LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        sweep();
        List<String> found = new ArrayList<>(LEAKS);
        LEAKS.clear();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " buffer leak(s) in " + context.getDisplayName() + ":\n"
                    + String.join("\n---\n", found));
        }
    }

    /** Collects garbage, then allocates tracked buffers, which makes the detector report what was collected. */
    private static void sweep() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            for (int k = 0; k < 64; k++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                ByteBuf b = Unpooled.directBuffer(16);
                a.release();
                b.release();
            }
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                     long maxActive) {
            return new ResourceLeakDetector<>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    LEAKS.add(resourceType + " leaked:" + records);
                    super.reportTracedLeak(resourceType, records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    LEAKS.add(resourceType + " leaked (untraced)");
                    super.reportUntracedLeak(resourceType);
                }
            };
        }
    }
}
