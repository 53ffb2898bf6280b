package dev.flashsale.queue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The MD5 digests SQS answers for a message's body and attributes, computed as SQS computes them, which the SDK checks
 * on send and receive: for the canned reply of priming ({@link SqsConfirmationQueue#prime}) and the local runner's
 * in-memory SQS server.
 */
public final class SqsMd5 {

    /** A message attribute as SQS digests it: a string (or number) value, or a binary one. */
    public record Attribute(String dataType, String stringValue, byte[] binaryValue) {}

    private SqsMd5() {}

    public static String ofBody(String body) {
        MessageDigest md5 = md5();
        md5.update(body.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md5.digest());
    }

    /**
     * Per attribute in name order: name, data type, transport type (1 string, 2 binary), value; each string and the
     * binary value prefixed with its length (4 bytes, big-endian).
     */
    public static String ofAttributes(Map<String, Attribute> attributes) {
        MessageDigest md5 = md5();
        for (Map.Entry<String, Attribute> e : new TreeMap<>(attributes).entrySet()) {
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

    /** {@link #ofAttributes} of the SDK's attribute values. */
    static String ofSdkAttributes(Map<String, MessageAttributeValue> attributes) {
        Map<String, Attribute> plain = new LinkedHashMap<>();
        attributes.forEach((name, v) -> plain.put(
                name,
                new Attribute(
                        v.dataType(),
                        v.stringValue(),
                        v.binaryValue() == null ? null : v.binaryValue().asByteArray())));
        return ofAttributes(plain);
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
