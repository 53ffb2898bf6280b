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
        // 128 bits: time(48) | random(80), as 26 base32 digits
        byte[] id = new byte[16];
        random.nextBytes(id);
        for (int i = 0; i < 6; i++) {
            id[i] = (byte) (time >>> (40 - 8 * i));
        }
        return Crockford.encode(id, 26);
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
