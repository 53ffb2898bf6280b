package dev.flashsale.invariants;

import dev.flashsale.redis.TransferEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The transfers between the buckets of a sale split into several, from the buckets' journals ({@code lent} on the
 * donor, {@code received} on the recipient, one transfer id on both).
 *
 * @param inTransit    lent by a donor, not (yet) accepted by its recipient: units on neither counter
 * @param unjournalled accepted by a recipient with no lend in its donor's journal (a failover lost the lend, until
 *                     prewarm's repair lends it again): units counted twice
 * @param malformed    journal entries that name no bucket of the sale or cannot be read
 */
record TransferJournal(List<Transfer> inTransit, List<Transfer> unjournalled, List<String> malformed) {

    record Transfer(String id, int from, int to, long units) {
        @Override
        public String toString() {
            return "transfer " + id + " of " + units + " units from bucket " + from + " to bucket " + to;
        }
    }

    static TransferJournal of(List<BucketSnapshot> buckets) {
        List<Transfer> inTransit = new ArrayList<>();
        List<Transfer> unjournalled = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        int count = buckets.size();
        for (BucketSnapshot donor : buckets) {
            donor.lent().forEach((id, entry) -> {
                TransferEntry t = TransferEntry.lent(entry)
                        .filter(e -> e.bucket() < count)
                        .orElse(null);
                if (t == null) {
                    malformed.add("bucket " + donor.bucket() + " journals transfer " + id + " as lent '" + entry + "'");
                } else if (!buckets.get(t.bucket()).received().containsKey(id)) {
                    inTransit.add(new Transfer(id, donor.bucket(), t.bucket(), t.units()));
                }
            });
        }
        for (BucketSnapshot recipient : buckets) {
            recipient.received().forEach((id, entry) -> {
                TransferEntry t = TransferEntry.received(entry)
                        .filter(e -> e.bucket() < count)
                        .orElse(null);
                if (t == null) {
                    malformed.add("bucket " + recipient.bucket() + " journals transfer " + id + " as received '" + entry
                            + "'");
                } else if (!buckets.get(t.bucket()).lent().containsKey(id)) {
                    unjournalled.add(new Transfer(id, t.bucket(), recipient.bucket(), t.units()));
                }
            });
        }
        return new TransferJournal(inTransit, unjournalled, malformed);
    }

    long unitsInTransit() {
        return inTransit.stream().mapToLong(Transfer::units).sum();
    }

    long unitsUnjournalled() {
        return unjournalled.stream().mapToLong(Transfer::units).sum();
    }
}
