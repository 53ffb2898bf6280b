package dev.flashsale.telemetry;

import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.sdk.trace.IdGenerator;
import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Trace and span ids from a per-thread random source that is replaced after a SnapStart restore. The SDK's default
 * uses {@code ThreadLocalRandom}, whose state is captured in the snapshot: every environment restored from it would
 * then hand out the same ids.
 */
final class ReseedableIdGenerator implements IdGenerator {

    private static final SecureRandom SEEDS = new SecureRandom();

    private volatile long generation;
    private final ThreadLocal<Source> sources = ThreadLocal.withInitial(Source::new);

    @Override
    public String generateSpanId() {
        SplittableRandom r = random();
        long id;
        do {
            id = r.nextLong();
        } while (id == 0);
        return SpanId.fromLong(id);
    }

    @Override
    public String generateTraceId() {
        SplittableRandom r = random();
        long hi = r.nextLong();
        long lo;
        do {
            lo = r.nextLong();
        } while (lo == 0);
        return TraceId.fromLongs(hi, lo);
    }

    /** Every thread takes a new seed at its next id. */
    void reseed() {
        generation++;
    }

    private SplittableRandom random() {
        Source s = sources.get();
        long g = generation;
        if (s.random == null || s.generation != g) {
            s.random = new SplittableRandom(SEEDS.nextLong());
            s.generation = g;
        }
        return s.random;
    }

    private static final class Source {
        SplittableRandom random;
        long generation;
    }
}
