package dev.flashsale.local.sqs;

import dev.flashsale.queue.SqsMd5;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * One standard SQS queue in memory, with the semantics the stack relies on: a received message is invisible for the
 * visibility timeout and then comes back with a new receipt handle; {@code ApproximateReceiveCount} counts receives;
 * with a redrive policy a message about to be received for the {@code maxReceiveCount + 1}-th time goes to the
 * dead-letter queue instead; long polling returns as soon as a message is visible; {@code DelaySeconds} delays a
 * message. Not modelled: FIFO queues, message retention (messages stay until deleted or purged), the 120,000 in-flight
 * limit, and SQS's sampling of servers on a short poll (a receive here sees every visible message).
 *
 * <p>Thread-safe: one lock per queue, held for a few map and deque operations; a long poll waits on a condition, not
 * holding the lock. Messages moved to a dead-letter queue are handed over after this queue's lock is released.
 */
final class MemoryQueue {

    /** A received message, as {@code ReceiveMessage} answers it. */
    record Received(
            String messageId,
            String receiptHandle,
            String body,
            String md5OfBody,
            Map<String, SqsMd5.Attribute> attributes,
            String md5OfAttributes,
            long sentTimestamp,
            int receiveCount,
            long firstReceiveTimestamp) {}

    /** Where a message about to be received too often goes. */
    record Redrive(String deadLetterQueueName, int maxReceiveCount) {}

    /** The visible, in-flight and delayed messages (SQS's three approximate counters). */
    record Counts(long visible, long inFlight, long delayed) {}

    private static final AtomicLong HANDLES = new AtomicLong();
    private static final Pattern HANDLE = Pattern.compile("[0-9a-f-]{36}#[0-9]+");

    private final String name;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Map<String, Message> messages = new LinkedHashMap<>();
    private final ArrayDeque<Message> visible = new ArrayDeque<>();
    private final PriorityQueue<Timer> invisible = new PriorityQueue<>();
    private final Map<String, Message> byHandle = new HashMap<>();
    private final long createdMillis;
    private volatile Map<String, String> attributes;

    /** A message's mutable state; guarded by the queue's lock. */
    private static final class Message {
        final String id;
        final String body;
        final String md5OfBody;
        final Map<String, SqsMd5.Attribute> attributes;
        final String md5OfAttributes;
        final long sentMillis;
        int receiveCount;
        long firstReceiveMillis;
        String handle;
        boolean inFlight;
        boolean isVisible;
        boolean deleted;
        int version;

        Message(String id, String body, Map<String, SqsMd5.Attribute> attributes, long sentMillis) {
            this.id = id;
            this.body = body;
            this.md5OfBody = SqsMd5.ofBody(body);
            this.attributes = attributes;
            this.md5OfAttributes = attributes.isEmpty() ? null : SqsMd5.ofAttributes(attributes);
            this.sentMillis = sentMillis;
        }
    }

    /** When a message becomes visible; stale once the message's version moved on. */
    private record Timer(long atMillis, int version, Message message) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            return Long.compare(atMillis, o.atMillis);
        }
    }

    MemoryQueue(String name, Map<String, String> attributes, LongSupplier clock) {
        this.name = name;
        this.clock = clock;
        this.attributes = Map.copyOf(attributes);
        this.createdMillis = clock.getAsLong();
    }

    String name() {
        return name;
    }

    Map<String, String> attributes() {
        return attributes;
    }

    long createdMillis() {
        return createdMillis;
    }

    void setAttributes(Map<String, String> changed) {
        lock.lock();
        try {
            Map<String, String> a = new LinkedHashMap<>(attributes);
            a.putAll(changed);
            attributes = Map.copyOf(a);
        } finally {
            lock.unlock();
        }
    }

    int visibilityTimeoutSeconds() {
        return Integer.parseInt(attributes.getOrDefault("VisibilityTimeout", "30"));
    }

    int delaySeconds() {
        return Integer.parseInt(attributes.getOrDefault("DelaySeconds", "0"));
    }

    /** The message, stored and (unless delayed) visible at once. @return its id and the two MD5 digests SQS answers */
    Sent send(String body, Map<String, SqsMd5.Attribute> messageAttributes, Optional<Integer> delaySeconds) {
        long now = clock.getAsLong();
        Message m = new Message(UUID.randomUUID().toString(), body, Map.copyOf(messageAttributes), now);
        int delay = delaySeconds.orElseGet(this::delaySeconds);
        lock.lock();
        try {
            messages.put(m.id, m);
            if (delay > 0) {
                invisible.add(new Timer(now + delay * 1000L, m.version, m));
            } else {
                m.isVisible = true;
                visible.add(m);
                arrived.signal();
            }
        } finally {
            lock.unlock();
        }
        return new Sent(m.id, m.md5OfBody, m.md5OfAttributes);
    }

    record Sent(String messageId, String md5OfBody, String md5OfAttributes) {}

    /** Messages received, and those that went past the redrive policy's count (for the caller to hand to the DLQ). */
    record Receipt(List<Received> received, List<Received> deadLetters) {}

    /**
     * Up to {@code max} visible messages, made invisible for {@code visibilitySeconds}; waits up to {@code waitMillis}
     * for the first one.
     */
    Receipt receive(int max, int visibilitySeconds, long waitMillis, Optional<Redrive> redrive)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        List<Received> out = new ArrayList<>(max);
        List<Received> dead = new ArrayList<>(0);
        lock.lockInterruptibly();
        try {
            while (true) {
                long now = clock.getAsLong();
                long nextVisibleAt = promote(now);
                while (out.size() < max) {
                    Message m = visible.poll();
                    if (m == null) {
                        break;
                    }
                    if (m.deleted || !m.isVisible) {
                        continue;
                    }
                    m.isVisible = false;
                    if (redrive.isPresent() && m.receiveCount >= redrive.get().maxReceiveCount()) {
                        remove(m);
                        dead.add(view(m));
                        continue;
                    }
                    m.receiveCount++;
                    if (m.firstReceiveMillis == 0) {
                        m.firstReceiveMillis = now;
                    }
                    if (m.handle != null) {
                        byHandle.remove(m.handle);
                    }
                    m.handle = m.id + "#" + HANDLES.incrementAndGet();
                    byHandle.put(m.handle, m);
                    m.inFlight = true;
                    m.version++;
                    invisible.add(new Timer(now + visibilitySeconds * 1000L, m.version, m));
                    out.add(view(m));
                }
                long left = deadline - System.nanoTime();
                if (!out.isEmpty() || left <= 0) {
                    return new Receipt(out, dead);
                }
                long untilVisible = nextVisibleAt == Long.MAX_VALUE
                        ? Long.MAX_VALUE
                        : TimeUnit.MILLISECONDS.toNanos(Math.max(1, nextVisibleAt - now));
                arrived.awaitNanos(Math.min(left, untilVisible));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Messages whose invisibility ended become visible. @return when the next one will, or Long.MAX_VALUE */
    private long promote(long now) {
        while (!invisible.isEmpty()) {
            Timer t = invisible.peek();
            if (t.version != t.message.version || t.message.deleted) {
                invisible.poll();
                continue;
            }
            if (t.atMillis > now) {
                return t.atMillis;
            }
            invisible.poll();
            t.message.inFlight = false;
            t.message.isVisible = true;
            visible.add(t.message);
        }
        return Long.MAX_VALUE;
    }

    private static Received view(Message m) {
        return new Received(
                m.id,
                m.handle,
                m.body,
                m.md5OfBody,
                m.attributes,
                m.md5OfAttributes,
                m.sentMillis,
                m.receiveCount,
                m.firstReceiveMillis);
    }

    private void remove(Message m) {
        m.deleted = true;
        messages.remove(m.id);
        if (m.handle != null) {
            byHandle.remove(m.handle);
        }
    }

    /** A message moved here from another queue's redrive: visible at once, its receive count starting again. */
    void acceptDeadLetter(Received r) {
        Message m = new Message(r.messageId(), r.body(), r.attributes(), r.sentTimestamp());
        lock.lock();
        try {
            messages.put(m.id, m);
            m.isVisible = true;
            visible.add(m);
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Whether a receipt handle has the shape this queue gives out. */
    static boolean wellFormed(String receiptHandle) {
        return receiptHandle != null && HANDLE.matcher(receiptHandle).matches();
    }

    /**
     * Deletes the message of the latest receipt handle. A well-formed handle of a message already deleted, or one
     * superseded by a later receive, deletes nothing and is not an error (as SQS answers).
     *
     * @return false when the handle is malformed ({@code ReceiptHandleIsInvalid})
     */
    boolean delete(String receiptHandle) {
        if (!wellFormed(receiptHandle)) {
            return false;
        }
        lock.lock();
        try {
            Message m = byHandle.get(receiptHandle);
            if (m != null) {
                remove(m);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Outcome of a visibility change. */
    enum Change {
        CHANGED,
        INVALID_HANDLE,
        NOT_IN_FLIGHT
    }

    /** Makes an in-flight message visible after {@code seconds} from now (0: at once). */
    Change changeVisibility(String receiptHandle, int seconds) {
        if (!wellFormed(receiptHandle)) {
            return Change.INVALID_HANDLE;
        }
        lock.lock();
        try {
            Message m = byHandle.get(receiptHandle);
            if (m == null || !m.inFlight) {
                return Change.NOT_IN_FLIGHT;
            }
            m.version++;
            if (seconds == 0) {
                m.inFlight = false;
                m.isVisible = true;
                visible.add(m);
                arrived.signal();
            } else {
                invisible.add(new Timer(clock.getAsLong() + seconds * 1000L, m.version, m));
            }
            return Change.CHANGED;
        } finally {
            lock.unlock();
        }
    }

    void purge() {
        lock.lock();
        try {
            messages.values().forEach(m -> m.deleted = true);
            messages.clear();
            visible.clear();
            invisible.clear();
            byHandle.clear();
        } finally {
            lock.unlock();
        }
    }

    Counts counts() {
        lock.lock();
        try {
            promote(clock.getAsLong());
            long inFlight = 0;
            long delayed = 0;
            long visibleCount = 0;
            for (Message m : messages.values()) {
                if (m.isVisible) {
                    visibleCount++;
                } else if (m.inFlight) {
                    inFlight++;
                } else {
                    delayed++;
                }
            }
            return new Counts(visibleCount, inFlight, delayed);
        } finally {
            lock.unlock();
        }
    }

    /** Wakes long polls (the server is stopping). */
    void wakeAll() {
        lock.lock();
        try {
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
