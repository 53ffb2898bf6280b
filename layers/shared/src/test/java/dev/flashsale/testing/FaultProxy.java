package dev.flashsale.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on loopback between the code under test and a real server, that can pass traffic, delay replies, swallow
 * traffic (a black hole: the client's read times out) or refuse (connections are reset at once), and lose the reply to
 * one marked request: the server gets the request and acts on it, the client never learns the outcome. It can also be
 * {@link #retarget retargeted} to another server, as a managed Redis's primary endpoint is moved to the promoted replica
 * on failover.
 */
public final class FaultProxy implements AutoCloseable {

    public enum Mode {
        PASS,
        DELAY,
        BLACKHOLE,
        REFUSE
    }

    private volatile InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMillis;
    private final AtomicReference<LostReply> lostReply = new AtomicReference<>();
    private final Set<Socket> losing = ConcurrentHashMap.newKeySet();

    /** A one-shot fault: the reply to the next request containing {@code marker} is swallowed, then {@code after}. */
    private record LostReply(byte[] marker, Mode after, CountDownLatch done) {}

    public FaultProxy(String targetHost, int targetPort) {
        this.target = new InetSocketAddress(targetHost, targetPort);
        try {
            this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public void pass() {
        mode = Mode.PASS;
    }

    /** Replies from the server are held back by {@code delay}. */
    public void delay(Duration delay) {
        delayMillis = delay.toMillis();
        mode = Mode.DELAY;
    }

    public void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    /** Resets every open connection and every new one until {@link #pass()}. */
    public void refuse() {
        mode = Mode.REFUSE;
        cutConnections();
    }

    /**
     * Lets the next request whose bytes contain {@code marker} (e.g. {@code COMMIT}, {@code SendMessage}) reach the
     * server, swallows the server's reply to it and switches to {@code after}: {@link Mode#PASS} resets that connection
     * and lets the client's retry through on a new one, {@link Mode#REFUSE} resets every connection and fails the retry
     * too, {@link Mode#BLACKHOLE} keeps the connection open and silent until the client's own timeout. One shot.
     *
     * @return counted down once the reply has been lost
     */
    public CountDownLatch loseReplyTo(String marker, Mode after) {
        LostReply fault = new LostReply(marker.getBytes(StandardCharsets.US_ASCII), after, new CountDownLatch(1));
        lostReply.set(fault);
        return fault.done();
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Points the proxy at another server and cuts every open connection, as the DNS name of ElastiCache's primary
     * endpoint is moved to the promoted replica on failover: clients see their connections drop, and reconnect (to the
     * same proxy port) to the new server. Connections being opened meanwhile are cut too; the mode is not changed.
     */
    public void retarget(String host, int port) {
        target = new InetSocketAddress(host, port);
        cutConnections();
    }

    /** Where new connections go. */
    public InetSocketAddress target() {
        return target;
    }

    public void cutConnections() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (mode == Mode.REFUSE) {
                    client.setSoLinger(true, 0);
                    client.close();
                    continue;
                }
                InetSocketAddress to = target;
                Socket upstream = new Socket();
                try {
                    upstream.connect(to, 1000);
                } catch (IOException unreachable) {
                    // the server is down (killed, not yet replaced): the client is reset at once, as by the server
                    closeQuietly(upstream);
                    closeQuietly(client);
                    continue;
                }
                sockets.add(client);
                sockets.add(upstream);
                if (target != to) {
                    // retargeted while this connection was being opened: it must not outlive the cut
                    closeQuietly(client);
                    closeQuietly(upstream);
                    sockets.remove(client);
                    sockets.remove(upstream);
                    continue;
                }
                pump(client, upstream, false, client);
                pump(upstream, client, true, client);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean reply, Socket client) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            Mode m = mode;
                            if (m == Mode.REFUSE) {
                                break;
                            }
                            if (m == Mode.BLACKHOLE) {
                                continue;
                            }
                            LostReply fault = lostReply.get();
                            if (!reply && fault != null && contains(buf, n, fault.marker())) {
                                losing.add(client);
                            }
                            if (reply
                                    && losing.remove(client)
                                    && fault != null
                                    && lostReply.compareAndSet(fault, null)) {
                                mode = fault.after();
                                fault.done().countDown();
                                if (fault.after() == Mode.BLACKHOLE) {
                                    continue; // swallowed; the client waits for its own timeout
                                }
                                if (fault.after() == Mode.REFUSE) {
                                    cutConnections();
                                }
                                break; // the reply is never written; the finally block resets both sockets
                            }
                            if (m == Mode.DELAY && reply) {
                                Thread.sleep(delayMillis);
                            }
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // connection closed or cut
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        sockets.remove(from);
                        sockets.remove(to);
                    }
                },
                "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] buf, int n, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= n; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (buf[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        cutConnections();
    }
}
