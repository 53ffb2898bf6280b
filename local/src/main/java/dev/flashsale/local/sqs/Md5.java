package dev.flashsale.local.sqs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** The MD5 digests SQS answers for a message's body and attributes, which the SDK checks on send and receive. */
final class Md5 {

    private Md5() {}

    static String ofBody(String body) {
        MessageDigest md5 = md5();
        md5.update(body.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md5.digest());
    }

    /**
     * Per attribute in name order: name, data type, transport type (1 string, 2 binary), value; each string and the
     * binary value prefixed with its length (4 bytes, big-endian).
     */
    static String ofAttributes(Map<String, MemoryQueue.Attribute> attributes) {
        MessageDigest md5 = md5();
        for (Map.Entry<String, MemoryQueue.Attribute> e : new TreeMap<>(attributes).entrySet()) {
            lengthAndBytes(md5, e.getKey().getBytes(StandardCharsets.UTF_8));
            lengthAndBytes(md5, e.getValue().dataType().getBytes(StandardCharsets.UTF_8));
            if (e.getValue().binaryValue() != null) {
                md5.update((byte) 2);
                lengthAndBytes(md5, e.getValue().binaryValue());
            } else {
                md5.update((byte) 1);
                lengthAndBytes(md5, e.getValue().stringValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private static void lengthAndBytes(MessageDigest md5, byte[] bytes) {
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
