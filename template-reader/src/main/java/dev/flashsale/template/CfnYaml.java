package dev.flashsale.template;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a CloudFormation / SAM YAML template into a Jackson tree, keeping the short-form intrinsic tags.
 *
 * <p>Jackson's {@code ObjectMapper(new YAMLFactory())} does not fail on {@code !Ref}, {@code !GetAtt}, {@code !Sub}:
 * it silently drops the tag and keeps the bare value, so {@code !Ref ConfirmQueue} would read as the string
 * {@code "ConfirmQueue"}. The streaming {@link YAMLParser} still reports each node's tag ({@code getTypeId()}), so this
 * reader builds the tree itself and turns a tagged node into the template's long form, as in a JSON template:
 * {@code !Ref X} → {@code {"Ref": "X"}}, {@code !GetAtt A.B} → {@code {"Fn::GetAtt": ["A", "B"]}},
 * {@code !Sub s} → {@code {"Fn::Sub": "s"}}, {@code !Condition c} → {@code {"Condition": "c"}}.
 */
public final class CfnYaml {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CfnYaml() {}

    public static JsonNode read(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                YAMLParser parser = new YAMLFactory().createParser(in)) {
            if (parser.nextToken() == null) {
                throw new IOException(file + " is empty");
            }
            return node(parser);
        }
    }

    /** Reads the value at the parser's current token, with everything below it. */
    private static JsonNode node(YAMLParser p) throws IOException {
        String tag = p.getTypeId();
        JsonNode value = switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    o.set(name, node(p));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(node(p));
                }
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> NODES.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IOException("unexpected " + p.currentToken() + " at " + p.currentLocation());
        };
        return tag == null ? value : intrinsic(tag, value);
    }

    private static JsonNode intrinsic(String tag, JsonNode value) {
        ObjectNode o = NODES.objectNode();
        switch (tag) {
            case "Ref", "Condition" -> o.set(tag, value);
            case "GetAtt" -> {
                if (value.isTextual()) {
                    String s = value.asText();
                    int dot = s.indexOf('.');
                    ArrayNode parts = NODES.arrayNode();
                    parts.add(dot < 0 ? s : s.substring(0, dot));
                    if (dot >= 0) {
                        parts.add(s.substring(dot + 1));
                    }
                    o.set("Fn::GetAtt", parts);
                } else {
                    o.set("Fn::GetAtt", value);
                }
            }
            default -> o.set("Fn::" + tag, value);
        }
        return o;
    }
}
