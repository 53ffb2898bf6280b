package dev.flashsale.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Loopback port checks, for finding a local server or picking a port to start one on: the local runner and the tests
 * use them to find Redis and PostgreSQL on their default ports. No function calls them.
 */
public final class Ports {

    private Ports() {}

    /** Whether something accepts a TCP connection on {@code host:port} within 300 ms. */
    public static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port free on this machine a moment ago. */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
