package dev.flashsale.queue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The MD5 digests SQS returns for a sent message, computed as SQS computes them, for a canned reply that the SDK's
 * checksum check accepts (priming).
 */
final class Md5s {

    private Md5s() {}

    static String ofBody(String body) {
        MessageDigest md5 = md5();
        md5.update(body.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md5.digest());
    }

    /** Per attribute in name order: name, data type, transport type (1 = string), value; strings length-prefixed. */
    static String ofAttributes(Map<String, MessageAttributeValue> attributes) {
        MessageDigest md5 = md5();
        for (Map.Entry<String, MessageAttributeValue> e : new TreeMap<>(attributes).entrySet()) {
            lengthAndBytes(md5, e.getKey());
            lengthAndBytes(md5, e.getValue().dataType());
            if (e.getValue().stringValue() == null) {
                throw new IllegalArgumentException("only string and number attributes are supported: " + e.getKey());
            }
            md5.update((byte) 1);
            lengthAndBytes(md5, e.getValue().stringValue());
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private static void lengthAndBytes(MessageDigest md5, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        md5.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        md5.update(bytes);
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
