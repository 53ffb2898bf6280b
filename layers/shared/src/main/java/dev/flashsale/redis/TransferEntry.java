package dev.flashsale.redis;

import java.util.Optional;

/**
 * An entry of a bucket's transfer journal, read in one place: {@link SaleKeys#lent()} holds {@code "<to> <units> <epoch
 * ms>"} (written by lend.lua), {@link SaleKeys#received()} holds {@code "<from> <units>"} (accept.lua).
 *
 * @param bucket the other bucket of the transfer (the recipient of a lend, the donor of a receipt)
 * @param at     when the units were lent (epoch ms, Redis' clock); 0 for a receipt
 */
public record TransferEntry(int bucket, long units, long at) {

    /** A {@code lent} entry; empty when it is not one. */
    public static Optional<TransferEntry> lent(String text) {
        return parse(text, 3);
    }

    /** A {@code received} entry; empty when it is not one. */
    public static Optional<TransferEntry> received(String text) {
        return parse(text, 2);
    }

    private static Optional<TransferEntry> parse(String text, int fields) {
        String[] f = text.split(" ");
        if (f.length != fields) {
            return Optional.empty();
        }
        try {
            int bucket = Integer.parseInt(f[0]);
            long units = Long.parseLong(f[1]);
            long at = fields == 3 ? Long.parseLong(f[2]) : 0;
            return bucket < 0 || units < 0 ? Optional.empty() : Optional.of(new TransferEntry(bucket, units, at));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
