package dev.flashsale.ids;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.function.Supplier;
import org.crac.Context;
import org.crac.Resource;

/**
 * Time-ordered unique ids in the ULID layout: 48 bits of epoch milliseconds then 80 random bits, as 26 Crockford base32
 * characters. The random source is replaced after a SnapStart restore, so that environments restored from one snapshot
 * never share a random sequence.
 */
public final class IdGenerator implements Resource {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private final Clock clock;
    private final Supplier<SecureRandom> randoms;
    private volatile SecureRandom random;

    public IdGenerator(Clock clock) {
        this(clock, SecureRandom::new);
    }

    /** @param randoms makes the random source, now and after each restore */
    public IdGenerator(Clock clock, Supplier<SecureRandom> randoms) {
        this.clock = clock;
        this.randoms = randoms;
        this.random = randoms.get();
    }

    public static IdGenerator create() {
        return new IdGenerator(Clock.systemUTC());
    }

    public String next() {
        long time = clock.millis();
        byte[] r = new byte[10];
        random.nextBytes(r);
        long hi = 0;
        for (int i = 0; i < 2; i++) {
            hi = (hi << 8) | (r[i] & 0xFF);
        }
        long lo = 0;
        for (int i = 2; i < 10; i++) {
            lo = (lo << 8) | (r[i] & 0xFF);
        }
        // 128 bits: time(48) | hi(16) | lo(64), written as 26 base32 digits from the most significant end
        long top = (time << 16) | hi; // upper 64 bits
        char[] out = new char[26];
        for (int i = 25; i >= 0; i--) {
            int digit = (int) (lo & 31);
            out[i] = ALPHABET[digit];
            lo = (lo >>> 5) | (top << 59);
            top >>>= 5;
        }
        return new String(out);
    }

    /** Replaces the random source; called after a restore from a snapshot. */
    public void reseed() {
        random = randoms.get();
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {}

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        reseed();
    }
}
