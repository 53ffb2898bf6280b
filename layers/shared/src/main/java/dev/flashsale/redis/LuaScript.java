package dev.flashsale.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script kept as a classpath resource. Its SHA-1 is computed locally, so a call is a single EVALSHA;
 * the source is sent again only when the server answers NOSCRIPT (restart, failover, SCRIPT FLUSH).
 */
public final class LuaScript {

    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    /** Loads {@code /scripts/<name>.lua} from the classpath. */
    public static LuaScript fromResource(String name) {
        String path = "/scripts/" + name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + path);
            }
            return new LuaScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public String sha() {
        return sha;
    }

    /**
     * Loads the script into the server that owns {@code sampleKey}'s slot (any key of the sale will do), so that the
     * first real call does not pay for a NOSCRIPT round trip.
     */
    public void load(UnifiedJedis redis, String sampleKey) {
        String loaded = redis.scriptLoad(source, sampleKey);
        if (!sha.equals(loaded)) {
            throw new IllegalStateException("server SHA " + loaded + " differs from local " + sha + " for " + name);
        }
    }

    public Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            return redis.eval(source, keys, args);
        }
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
