package dev.flashsale.redis;

import java.nio.charset.StandardCharsets;

/** Values out of a Lua script's reply: Jedis hands back bulk strings as String or byte[], integers as Long. */
public final class ScriptReply {

    private ScriptReply() {}

    /** A bulk-string element as text; null stays null. */
    public static String text(Object reply) {
        if (reply == null) {
            return null;
        }
        if (reply instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return reply.toString();
    }

    /** An integer element, or a bulk string holding one. */
    public static long number(Object reply) {
        if (reply instanceof Number n) {
            return n.longValue();
        }
        return Long.parseLong(text(reply));
    }
}
