package dev.flashsale.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** JSON reading and writing with jackson-jr: small, fast to load, no reflection-heavy databinding. */
public final class Json {

    private static final int MAX_NESTING_DEPTH = 16;
    private static final int MAX_NUMBER_LENGTH = 64;
    private static final JsonFactory STRICT_FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            .build();
    private static final JSON WRITER =
            JSON.std.with(JSON.Feature.PRESERVE_FIELD_ORDERING).without(JSON.Feature.WRITE_NULL_PROPERTIES);
    private static final JSON READER = JSON.builder(STRICT_FACTORY).build().with(JSON.Feature.PRESERVE_FIELD_ORDERING);

    private Json() {}

    /** Writes maps, lists, strings, numbers and booleans; null map values are left out. */
    public static String write(Object value) {
        try {
            return WRITER.asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads exactly one JSON object: duplicate keys, trailing content, deep nesting and absurdly long numbers are
     * refused.
     *
     * @throws JsonException with a message fit to show a client
     */
    public static Map<String, Object> readObject(String text) {
        try (JsonParser parser = STRICT_FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new JsonException("body is empty");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new JsonException("body must be a JSON object");
            }
            Map<String, Object> map = READER.mapFrom(parser);
            if (parser.nextToken() != null) {
                throw new JsonException("unexpected content after the JSON object");
            }
            return map;
        } catch (JsonProcessingException e) {
            throw new JsonException(clientMessage(e));
        } catch (IOException e) {
            throw new JsonException("malformed JSON: " + e.getMessage());
        }
    }

    /**
     * Jackson's own words, minus what only makes sense to us: the limits' and features' Java names ("from
     * `StreamReadConstraints.getMaxNestingDepth()`", "enable `JsonReadFeature...`") and source locations.
     */
    private static String clientMessage(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof StreamConstraintsException) {
            if (m.startsWith("Document nesting depth")) {
                return "malformed JSON: nested deeper than " + MAX_NESTING_DEPTH + " levels";
            }
            if (m.startsWith("Number value length")) {
                return "malformed JSON: a number is longer than " + MAX_NUMBER_LENGTH + " characters";
            }
            return "malformed JSON: the document exceeds a size limit";
        }
        for (String internal : new String[] {" (start marker at ", ": enable `", "`", "[Source"}) {
            int at = m.indexOf(internal);
            if (at >= 0) {
                m = m.substring(0, at);
            }
        }
        return "malformed JSON: " + m.strip();
    }
}
