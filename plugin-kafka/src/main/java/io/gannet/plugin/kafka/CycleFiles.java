package io.gannet.plugin.kafka;

import java.io.File;
import java.util.Map;
import java.util.TreeMap;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import org.slf4j.Logger;

/**
 * The cycle files of a disk buffer's queue, as Chronicle opens them (on its own threads), so that the buffer can
 * delete those it no longer needs: Chronicle Queue keeps every cycle file until someone deletes it.
 */
final class CycleFiles implements StoreFileListener {
    private final TreeMap<Long, File> files = new TreeMap<>();
    private final Logger log;

    CycleFiles(Logger log) {
        this.log = log;
    }

    @Override
    public synchronized void onAcquired(int cycle, File file) {
        files.put((long) cycle, file);
    }

    @Override
    public void onReleased(int cycle, File file) {
    }

    /** Deletes the files of the cycles before {@code cycle}. */
    synchronized void deleteBefore(int cycle) {
        Map<Long, File> spent = files.headMap((long) cycle);
        for (File f : spent.values()) {
            if (f.delete()) {
                log.debug("Kafka bridge: deleted the spent buffer file {}", f);
            }
        }
        spent.clear();
    }
}
