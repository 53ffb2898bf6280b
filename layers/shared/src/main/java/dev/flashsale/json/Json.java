package dev.flashsale.json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.jr.ob.JSON;

/** JSON reading and writing with jackson-jr: small, fast to load, no reflection-heavy databinding. */
public final class Json {

    private static final JsonFactory STRICT_FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(64).build())
            .build();
    private static final JSON WRITER = JSON.std.with(JSON.Feature.PRESERVE_FIELD_ORDERING).without(JSON.Feature.WRITE_NULL_PROPERTIES);
    private static final JSON READER = JSON.builder(STRICT_FACTORY).build().with(JSON.Feature.PRESERVE_FIELD_ORDERING);

    private Json() {
    }

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
            throw new JsonException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new JsonException("malformed JSON: " + e.getMessage());
        }
    }
}
