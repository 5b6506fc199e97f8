package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.broker.store.SessionOwner;
import io.gannet.persistence.JournalOp;
import io.gannet.persistence.SessionBatch;
import io.gannet.persistence.SessionTable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who owns a session after a node that was found down restarts: a partition's copy, applied entry by entry as Raft
 * would, with the answers each entry gives. No Raft here: the log's order is what the test writes.
 */
class PartitionFenceTest {
    private final List<String> takenFromSelf = new ArrayList<>();
    private final PartitionStateMachine copyOnN1 = new PartitionStateMachine(0, "n1",
            new PartitionStateMachine.TakeoverListener() {
                @Override
                public void takenOver(int partition, String clientId, String byNode, boolean resumed, long index) {
                    takenFromSelf.add(clientId + " by " + byNode);
                }

                @Override
                public void applied(int partition, long index) {
                }
            });

    @Test
    void anAdoptionDecidedBeforeTheDeadNodeResumedIsRefusedAndItsSessionsStayWithIt() {
        copyOnN1.apply(created("n1", "c", 1), 1);
        // n2 sees n1 down while its copy is at index 1, and proposes the adoption; n1 restarts and resumes first.
        assertThat(clientIds(copyOnN1.apply(PartitionEntry.resume("n1"), 2))).containsExactly("c");
        assertThat(clientIds(copyOnN1.apply(PartitionEntry.adopt("n2", "n1", 1), 3)))
                .as("sessions n2 adopted").isEmpty();
        assertThat(takenFromSelf).isEmpty();
        // n1 still owns it: a later resumption finds it again.
        assertThat(clientIds(copyOnN1.apply(PartitionEntry.resume("n1"), 4))).containsExactly("c");
    }

    @Test
    void anAdoptionDecidedAfterTheResumptionTakesTheSessions() {
        copyOnN1.apply(created("n1", "c", 1), 1);
        copyOnN1.apply(PartitionEntry.resume("n1"), 2);
        // n2 saw the resumption and still finds n1 down (it died again): the adoption stands.
        assertThat(clientIds(copyOnN1.apply(PartitionEntry.adopt("n2", "n1", 2), 3))).containsExactly("c");
        assertThat(takenFromSelf).containsExactly("c by n2");
        assertThat(clientIds(copyOnN1.apply(PartitionEntry.resume("n1"), 4))).as("n1 owns nothing now").isEmpty();
    }

    @Test
    void anAdoptionOfANodeThatNeverResumedTakesItsSessions() {
        copyOnN1.apply(created("n3", "c", 1), 1);
        assertThat(clientIds(copyOnN1.apply(PartitionEntry.adopt("n2", "n3", 0), 2))).containsExactly("c");
    }

    @Test
    void aSessionEndedAndClaimedAgainInOneEntryIsGoneFromTheAnswer() {
        copyOnN1.apply(created("n1", "c", 1), 1);
        // n1 ended the session (its client started clean on another node) and, before that went out, the client
        // connected to n1 again to resume it: one entry holds both, and the session must not come back.
        SessionBatch batch = new SessionBatch();
        batch.add(new JournalOp.Ended(1, false));
        byte[] answer = copyOnN1.apply(entry(PartitionEntry.eventsHeader("n1", List.of("c"), List.of()), batch), 2);
        PartitionEntry.Reader in = new PartitionEntry.Reader(answer, 0, answer.length);
        assertThat(in.count()).as("takeover answers").isEqualTo(1);
        byte[] takeover = in.block();
        PartitionEntry.Reader t = new PartitionEntry.Reader(takeover, 0, takeover.length);
        assertThat(t.string()).as("its owner before").isEqualTo("n1");
        t.number();
        assertThat(t.rest()).as("the session's records").isEmpty();
    }

    @Test
    void anEventsEntryOfTheFormerRecordFormatIsRefusedNamingTheFormat() {
        byte[] entry = PartitionEntry.eventsHeader("n1", List.of(), List.of());
        entry[0] = PartitionEntry.EVENTS_FORMAT_1;
        assertThatThrownBy(() -> copyOnN1.apply(entry, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("journal record format 1").hasMessageContaining("empty cluster.directory");
    }

    private static byte[] entry(byte[] header, SessionBatch batch) {
        byte[] entry = new byte[header.length + batch.length()];
        System.arraycopy(header, 0, entry, 0, header.length);
        System.arraycopy(batch.array(), 0, entry, header.length, batch.length());
        return entry;
    }

    /** An events entry from {@code node} that claims and creates the persistent session of {@code clientId}. */
    private static byte[] created(String node, String clientId, long key) {
        SessionBatch batch = new SessionBatch();
        batch.add(new JournalOp.Created(key, clientId, SessionOwner.ANONYMOUS, 3600, null, 0));
        return entry(PartitionEntry.eventsHeader(node, List.of(), List.of(new PartitionEntry.Claim(clientId, true))),
                batch);
    }

    /** The client ids of the sessions in an adoption's or a resumption's answer. */
    private static List<String> clientIds(byte[] answer) {
        PartitionEntry.Reader in = new PartitionEntry.Reader(answer, 0, answer.length);
        in.number();
        byte[] records = in.rest();
        SessionTable table = new SessionTable();
        table.apply(records, 0, records.length);
        return table.snapshots(id -> true).stream().map(s -> s.clientId()).toList();
    }
}
