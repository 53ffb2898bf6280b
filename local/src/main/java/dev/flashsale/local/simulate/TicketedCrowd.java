package dev.flashsale.local.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The buyers of a ticketed sale (docs/admission.md). Each joins the queue, then waits its turn polling the gate (the
 * part every waiting buyer shares) after the waiting room's {@code pollAfterSeconds}, capped at
 * {@link SimulationOptions#pollCap()}; when the gate says admission has reached its position or the sale is sold out,
 * it reads its own place, and once admitted it reserves with the {@code Admission-Ticket} it was given. A buyer ends
 * held, sold out, or without a final answer (refused otherwise, or out of time at {@code --duration}); with
 * {@code --no-show}, some admitted buyers walk away instead of reserving.
 *
 * <p>Every buyer is a virtual thread telling its story in straight-line code, and a semaphore of {@code --concurrency}
 * permits bounds the requests in flight. A waiting buyer then costs a parked virtual thread (a few hundred bytes), so
 * a crowd of 20,000 needs neither 20,000 platform threads nor a hand-written scheduler multiplexing waits onto a pool,
 * and the stack never sees more than {@code --concurrency} requests at once, as with an open sale's pool of senders.
 */
final class TicketedCrowd {

    /** How a buyer's story ended. */
    enum Answer {
        HELD,
        SOLD_OUT,
        /** admitted, and left without reserving ({@code --no-show}): its turn passes on when the ticket lapses */
        WALKED_AWAY,
        NONE
    }

    /**
     * @param position  the buyer's place in the queue (0 if it never got one)
     * @param admitted  the waiting room gave it a ticket
     * @param micros    from the crowd's start to its final answer
     */
    record Result(long position, boolean admitted, Answer answer, long micros) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NO_BODY = new byte[0];

    private final String saleId;
    private final SimulationOptions options;
    private final URI queue;
    private final URI place;
    private final URI reservations;
    private final Semaphore inFlight;
    private final PrintStream out;
    final ReservationLog log;
    final AtomicLong joins = new AtomicLong();
    final AtomicLong gateReads = new AtomicLong();
    final AtomicLong placeReads = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    final ConcurrentHistogram timeToAnswer = new ConcurrentHistogram(3);
    private final AtomicInteger buyersDone = new AtomicInteger();

    /** @param out the progress bar; null shows none */
    TicketedCrowd(URI api, String saleId, SimulationOptions options, PrintStream out) {
        this.saleId = saleId;
        this.options = options;
        this.queue = api.resolve("/sales/" + saleId + "/queue");
        this.place = api.resolve("/sales/" + saleId + "/queue/me");
        this.reservations = api.resolve("/sales/" + saleId + "/reservations");
        this.inFlight = new Semaphore(options.concurrency());
        this.out = out;
        this.log = new ReservationLog(options.quantity());
    }

    void run() throws InterruptedException {
        long cpu0 = Simulator.processCpuNanos();
        log.startNanos = System.nanoTime();
        long deadline = log.startNanos + options.duration().toNanos();
        try (ExecutorService buyers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int n = 0; n < options.buyers(); n++) {
                int buyer = n;
                buyers.execute(() -> {
                    Result r = buyer(buyer, deadline);
                    results.add(r);
                    if (r.answer() == Answer.HELD || r.answer() == Answer.SOLD_OUT) {
                        timeToAnswer.recordValue(Math.max(1, r.micros()));
                    }
                    buyersDone.incrementAndGet();
                });
            }
            buyers.shutdown();
            while (!buyers.awaitTermination(250, TimeUnit.MILLISECONDS)) {
                progress(false);
            }
        }
        log.endNanos = System.nanoTime();
        log.cpuNanos = Simulator.processCpuNanos() - cpu0;
        progress(true);
    }

    private Result buyer(int n, long deadline) {
        Map<String, String> auth = Map.of("Authorization", "Bearer dev:buyer-" + n);
        long position = 0;
        boolean admitted = false;
        try {
            JsonNode p = call(() -> SimHttp.post(queue, auth, NO_BODY), joins, deadline);
            position = p == null ? 0 : p.path("position").asLong(0);
            boolean reserved = false;
            while (p != null) {
                switch (p.path("state").asText()) {
                    case "admitted" -> {
                        admitted = true;
                        if (reserved) {
                            return result(position, true, Answer.NONE); // refused with a valid ticket
                        }
                        if (ThreadLocalRandom.current().nextInt(100) < options.noShowPercent()) {
                            return result(position, true, Answer.WALKED_AWAY);
                        }
                        reserved = true;
                        Answer a = reserve(n, auth, p.path("ticket").asText(), deadline);
                        if (a != Answer.NONE) {
                            return result(position, true, a);
                        }
                        p = call(() -> SimHttp.get(place, auth), placeReads, deadline);
                    }
                    case "waiting" -> {
                        waitForTurn(auth, position, p.path("pollAfterSeconds").asLong(1), deadline);
                        p = call(() -> SimHttp.get(place, auth), placeReads, deadline);
                    }
                    case "sold-out" -> {
                        return result(position, admitted, Answer.SOLD_OUT);
                    }
                    case "used" -> {
                        return result(position, true, Answer.HELD); // a hold whose answer was lost
                    }
                    default -> {
                        return result(position, admitted, Answer.NONE); // lapsed, ended, not joined
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result(position, admitted, Answer.NONE);
    }

    /**
     * Polls the gate until admission reaches {@code position} or stops admitting (sold out, ended). The gate's answer
     * is the same for everyone, but its route is JWT-authorized like every buyer route (docs/admission.md), so the
     * buyer's token goes along.
     */
    private void waitForTurn(Map<String, String> auth, long position, long pollAfterSeconds, long deadline)
            throws InterruptedException {
        while (true) {
            pause(Duration.ofSeconds(Math.max(1, pollAfterSeconds)), deadline);
            JsonNode gate = call(() -> SimHttp.get(queue, auth), gateReads, deadline);
            if (gate == null
                    || !gate.path("state").asText().equals("admitting")
                    || gate.path("admittedUpTo").asLong() >= position) {
                return;
            }
        }
    }

    /** Up to {@code --attempts} reservations with the ticket, a new Idempotency-Key each (as an open sale's buyers). */
    private Answer reserve(int n, Map<String, String> auth, String ticket, long deadline) throws InterruptedException {
        Map<String, String> headers = new HashMap<>(auth);
        headers.put("Admission-Ticket", ticket);
        headers.put("Content-Type", "application/json");
        byte[] payload = Simulator.reservationPayload(options.quantity());
        for (int attempt = 1; attempt <= options.attempts() && System.nanoTime() < deadline; attempt++) {
            if (attempt > 1) {
                retries.incrementAndGet();
            }
            headers.put("Idempotency-Key", saleId + "-" + n + "-" + attempt);
            SimHttp.Answer a;
            inFlight.acquire();
            long t0 = System.nanoTime();
            try {
                a = SimHttp.post(reservations, headers, payload);
            } finally {
                inFlight.release();
            }
            log.record(t0, System.nanoTime(), a.status(), a.body());
            if (a.status() == 201 || a.status() == 200) {
                return Answer.HELD;
            }
            if (a.status() != 0 && a.status() < 500) {
                return Simulator.outcome(a.status(), a.body()).equals("sold-out") ? Answer.SOLD_OUT : Answer.NONE;
            }
            pause(Duration.ofMillis(100L * attempt), deadline);
        }
        return Answer.NONE;
    }

    /**
     * One queue call, retried like a reservation after no answer or a 5xx (up to {@code --attempts}); its JSON, or null
     * when refused or out of attempts or time.
     */
    private JsonNode call(Supplier<SimHttp.Answer> request, AtomicLong counter, long deadline)
            throws InterruptedException {
        for (int attempt = 1; attempt <= options.attempts() && System.nanoTime() < deadline; attempt++) {
            SimHttp.Answer a;
            inFlight.acquire();
            try {
                counter.incrementAndGet();
                a = request.get();
            } finally {
                inFlight.release();
            }
            if (a.status() == 200 || a.status() == 201) {
                try {
                    return JSON.readTree(a.body());
                } catch (IOException e) {
                    return null;
                }
            }
            if (a.status() != 0 && a.status() < 500) {
                return null;
            }
            pause(Duration.ofMillis(100L * attempt), deadline);
        }
        return null;
    }

    /** Sleeps about {@code wanted} (capped at {@code --poll-cap}, ±20 % so that the crowd does not poll in step). */
    private void pause(Duration wanted, long deadline) throws InterruptedException {
        long nanos = Math.min(wanted.toNanos(), options.pollCap().toNanos());
        nanos = (long) (nanos * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
        nanos = Math.min(nanos, deadline - System.nanoTime());
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }

    private Result result(long position, boolean admitted, Answer answer) {
        return new Result(position, admitted, answer, (System.nanoTime() - log.startNanos) / 1000);
    }

    TicketedFigures figures() {
        long held = 0;
        long soldOut = 0;
        long admittedBuyers = 0;
        long soldOutWhenAdmitted = 0;
        long walkedAway = 0;
        long latestHeld = 0;
        long earliestNeverAdmitted = 0;
        for (Result r : results) {
            if (r.admitted()) {
                admittedBuyers++;
            }
            switch (r.answer()) {
                case HELD -> {
                    held++;
                    latestHeld = Math.max(latestHeld, r.position());
                }
                case SOLD_OUT -> {
                    soldOut++;
                    if (r.admitted()) {
                        soldOutWhenAdmitted++;
                    }
                    if (!r.admitted() && r.position() > 0) {
                        earliestNeverAdmitted = earliestNeverAdmitted == 0
                                ? r.position()
                                : Math.min(earliestNeverAdmitted, r.position());
                    }
                }
                case WALKED_AWAY -> walkedAway++;
                case NONE -> {}
            }
        }
        return new TicketedFigures(
                joins.get(),
                gateReads.get(),
                placeReads.get(),
                retries.get(),
                admittedBuyers,
                held,
                soldOut,
                soldOutWhenAdmitted,
                walkedAway,
                results.size() - held - soldOut - walkedAway,
                Duration.ofNanos(timeToAnswer.getValueAtPercentile(50) * 1000),
                Duration.ofNanos(timeToAnswer.getMaxValue() * 1000),
                latestHeld,
                earliestNeverAdmitted);
    }

    private void progress(boolean last) {
        if (out == null) {
            return;
        }
        int done = buyersDone.get();
        int buyers = options.buyers();
        int width = 30;
        int filled = (int) ((long) width * done / buyers);
        out.printf(
                "\r[%s%s] %3d%%  %d/%d buyers answered  %d joins  %d polls  %d reservations  %d held   ",
                "#".repeat(filled),
                " ".repeat(width - filled),
                100L * done / buyers,
                done,
                buyers,
                joins.get(),
                gateReads.get() + placeReads.get(),
                log.samples.size(),
                log.acceptedCount());
        if (last) {
            out.println();
        }
        out.flush();
    }
}
