package dev.cerebrum.grammar;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.cerebrum.grammar.testing.Recogniser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each schema's grammar accepts the documents the schema allows and refuses the others. */
class JsonSchemaGrammarsTest {

    static Object json(String text) {
        try {
            return JSON.std.anyFrom(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertDocuments(Grammar g, List<String> accepted, List<String> refused) {
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        for (String doc : accepted) {
            checks.add(() -> assertTrue(Recogniser.matches(g, doc), () -> "should accept " + doc + "\n" + g.text()));
        }
        for (String doc : refused) {
            checks.add(() -> assertFalse(Recogniser.matches(g, doc), () -> "should refuse " + doc + "\n" + g.text()));
        }
        assertAll(checks);
    }

    @Test
    void jsonObject_acceptsObjectsOnly() {
        assertDocuments(JsonSchemaGrammars.jsonObject(),
                List.of("{}", "{\"a\": 1}", "{\"a\":{\"b\":[true, null, \"x\", -1.5e3]},\"c\":\"\\u00e9\\n\"}",
                        "{ \"a\" : [ ] }", "{\n  \"a\": 1\n}"),
                List.of("[]", "1", "\"x\"", "{\"a\"}", "{\"a\":1,}", "{a:1}", " {}", "{\"a\":01}", "{} {}"));
    }

    static Stream<Arguments> schemas() {
        return Stream.of(
                Arguments.of("string", "{\"type\": \"string\"}",
                        List.of("\"hi\"", "\"\"", "\"a\\nb\"", "\"\\u00e9\"", "\"日本\"", "\"\\\"\""),
                        List.of("hi", "1", "\"a", "\"\\ud800\"", "\"tab\there\"")),
                Arguments.of("string lengths", "{\"type\": \"string\", \"minLength\": 2, \"maxLength\": 3}",
                        List.of("\"ab\"", "\"abc\"", "\"a\\nb\"", "\"😀😀\""),
                        List.of("\"a\"", "\"abcd\"", "\"\"")),
                Arguments.of("integer", "{\"type\": \"integer\"}",
                        List.of("0", "-5", "123", "-0"), List.of("01", "1.0", "1e3", "+1", "")),
                Arguments.of("number", "{\"type\": \"number\"}",
                        List.of("1", "-1.5", "2e10", "0.5E-3", "0", "1E+2"), List.of("01", ".5", "1.", "+1", "1e")),
                Arguments.of("boolean and null", "{\"type\": [\"boolean\", \"null\"]}",
                        List.of("true", "false", "null"), List.of("1", "\"true\"", "nul")),
                Arguments.of("nullable string", "{\"type\": [\"string\", \"null\"]}",
                        List.of("null", "\"x\""), List.of("1")),
                Arguments.of("enum", "{\"enum\": [\"red\", \"green\", 1, 2.5, null, {\"a\": [1, 2]}]}",
                        List.of("\"red\"", "\"green\"", "1", "2.5", "null", "{\"a\":[1,2]}", "{ \"a\" : [ 1 , 2 ] }"),
                        List.of("\"blue\"", "2", "{\"a\":[2,1]}", "\"Red\"")),
                Arguments.of("enum filtered by type", "{\"type\": \"string\", \"enum\": [\"a\", 1]}",
                        List.of("\"a\""), List.of("1")),
                Arguments.of("const", "{\"const\": \"x\\\"y\"}", List.of("\"x\\\"y\""), List.of("\"xy\"", "\"x\"")),
                Arguments.of("object with required and optional properties", """
                        {"type": "object", "properties": {
                            "name": {"type": "string"}, "age": {"type": "integer"},
                            "tags": {"type": "array", "items": {"type": "string"}}},
                         "required": ["name"]}""",
                        List.of("{\"name\":\"a\"}", "{\"name\":\"a\",\"age\":3}", "{\"name\": \"a\", \"age\": 3, \"tags\": [\"x\"]}",
                                "{\"name\":\"a\",\"tags\":[]}", "{ \"name\" : \"a\" }"),
                        List.of("{}", "{\"age\":3,\"name\":\"a\"}", "{\"name\":\"a\",\"extra\":1}", "{\"name\":1}",
                                "{\"name\":\"a\",}", "{\"name\":\"a\",\"age\":3.5}")),
                Arguments.of("all properties optional", """
                        {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"},
                         "c": {"type": "integer"}}}""",
                        List.of("{}", "{\"b\":1}", "{\"a\":1,\"c\":3}", "{\"a\":1,\"b\":2,\"c\":3}"),
                        List.of("{,\"b\":1}", "{\"b\":1,\"a\":1}", "{\"a\":1,,\"c\":3}")),
                Arguments.of("required name not among properties", "{\"type\": \"object\", \"required\": [\"id\"]}",
                        List.of("{\"id\":[1,{\"x\":null}]}", "{\"id\":\"s\"}"), List.of("{}", "{\"idx\":1}")),
                Arguments.of("additional properties allowed", """
                        {"type": "object", "properties": {"name": {"type": "string"}},
                         "additionalProperties": true}""",
                        List.of("{}", "{\"name\":\"a\",\"zzz\":1}", "{\"nam\":1}", "{\"names\":[1]}", "{\"x\":1,\"y\":2}"),
                        List.of("{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":1}", "{\"x\":1,\"name\":\"a\"}")),
                Arguments.of("additional properties with a schema", """
                        {"type": "object", "additionalProperties": {"type": "integer"}}""",
                        List.of("{}", "{\"x\":1}", "{\"x\":1,\"y\":-2}"), List.of("{\"x\":\"s\"}", "{\"\\u0078\":1}")),
                Arguments.of("array bounds", """
                        {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3}""",
                        List.of("[1]", "[1,2,3]", "[ 1 , 2 ]"), List.of("[]", "[1,2,3,4]", "[\"a\"]", "[1,]")),
                Arguments.of("array of anything", "{\"type\": \"array\"}",
                        List.of("[]", "[1,\"a\",{\"b\":null}]"), List.of("{}", "[,]")),
                Arguments.of("closed tuple", """
                        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false}""",
                        List.of("[\"a\",1]", "[\"a\"]", "[]"), List.of("[\"a\",1,2]", "[1]", "[\"a\",\"b\"]")),
                Arguments.of("tuple with at least two items", """
                        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}],
                         "items": {"type": "boolean"}, "minItems": 2, "maxItems": 3}""",
                        List.of("[\"a\",1]", "[\"a\",1,true]"), List.of("[\"a\"]", "[\"a\",1,true,false]", "[\"a\",1,2]")),
                Arguments.of("draft-07 tuple", "{\"type\": \"array\", \"items\": [{\"type\": \"null\"}]}",
                        List.of("[]", "[null]"), List.of("[null,null]")),
                Arguments.of("recursive $defs", """
                        {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object",
                         "properties": {"value": {"type": "integer"},
                                        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                         "required": ["value"]}}}""",
                        List.of("{\"value\":1}", "{\"value\":1,\"children\":[{\"value\":2,\"children\":[]},{\"value\":3}]}"),
                        List.of("{\"children\":[]}", "{\"value\":1,\"children\":[{}]}")),
                Arguments.of("definitions", """
                        {"type": "object", "properties": {"p": {"$ref": "#/definitions/point"}}, "required": ["p"],
                         "definitions": {"point": {"type": "array", "items": {"type": "number"}, "minItems": 2,
                                                   "maxItems": 2}}}""",
                        List.of("{\"p\":[1,2.5]}"), List.of("{\"p\":[1]}", "{\"p\":{}}")),
                Arguments.of("anyOf", "{\"anyOf\": [{\"type\": \"integer\"}, {\"type\": \"string\", \"maxLength\": 2}]}",
                        List.of("1", "\"ab\""), List.of("\"abc\"", "true")),
                Arguments.of("oneOf", "{\"oneOf\": [{\"const\": \"a\"}, {\"const\": \"b\"}]}",
                        List.of("\"a\"", "\"b\""), List.of("\"c\"")),
                Arguments.of("allOf of objects", """
                        {"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
                                   {"properties": {"b": {"type": "string"}}}]}""",
                        List.of("{\"a\":1}", "{\"a\":1,\"b\":\"x\"}"), List.of("{\"b\":\"x\"}", "{\"a\":\"1\"}")),
                Arguments.of("date", "{\"type\": \"string\", \"format\": \"date\"}",
                        List.of("\"2024-02-29\"", "\"2000-02-29\"", "\"2023-12-31\"", "\"2023-04-30\"", "\"0000-01-01\""),
                        List.of("\"2023-02-29\"", "\"1900-02-29\"", "\"2023-04-31\"", "\"2023-13-01\"", "\"2023-00-10\"",
                                "\"2023-1-1\"")),
                Arguments.of("time", "{\"type\": \"string\", \"format\": \"time\"}",
                        List.of("\"23:59:60Z\"", "\"12:00:00.123+02:00\"", "\"00:00:00z\""),
                        List.of("\"24:00:00Z\"", "\"12:00:00\"", "\"12:60:00Z\"", "\"12:00:00+2:00\"")),
                Arguments.of("date-time", "{\"type\": \"string\", \"format\": \"date-time\"}",
                        List.of("\"2024-01-01T00:00:00Z\"", "\"2024-01-01t10:20:30.5-05:30\""),
                        List.of("\"2024-01-01 00:00:00Z\"", "\"2024-01-01T00:00Z\"")),
                Arguments.of("uuid", "{\"type\": \"string\", \"format\": \"uuid\"}",
                        List.of("\"123e4567-e89b-12d3-a456-426614174000\"", "\"123E4567-E89B-12D3-A456-426614174000\""),
                        List.of("\"123e4567e89b12d3a456426614174000\"", "\"123e4567-e89b-12d3-a456-42661417400\"")),
                Arguments.of("true schema", "true", List.of("1", "{\"a\":[]}", "null"), List.of("{", "")),
                Arguments.of("empty schema", "{}", List.of("\"s\"", "[1]"), List.of("x")),
                Arguments.of("annotations are ignored", """
                        {"title": "t", "description": "d", "type": "boolean", "default": true, "examples": [false],
                         "$schema": "https://json-schema.org/draft/2020-12/schema", "x-vendor": 1}""",
                        List.of("true"), List.of("1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    void schemaGrammar_acceptsExactlyTheAllowedDocuments(String name, String schema, List<String> accepted,
                                                         List<String> refused) {
        Grammar g = JsonSchemaGrammars.fromSchema(json(schema));

        assertDocuments(g, accepted, refused);
    }

    @Test
    void integerBounds_areExact() {
        record Case(String schema, long lo, long hi) {
        }
        List<Case> cases = List.of(
                new Case("{\"type\": \"integer\", \"minimum\": -12, \"maximum\": 345}", -12, 345),
                new Case("{\"type\": \"integer\", \"minimum\": 17}", 17, Long.MAX_VALUE),
                new Case("{\"type\": \"integer\", \"maximum\": -17}", Long.MIN_VALUE, -17),
                new Case("{\"type\": \"integer\", \"maximum\": 250}", Long.MIN_VALUE, 250),
                new Case("{\"type\": \"integer\", \"minimum\": 0}", 0, Long.MAX_VALUE),
                new Case("{\"type\": \"integer\", \"exclusiveMinimum\": 9, \"exclusiveMaximum\": 1000}", 10, 999),
                new Case("{\"type\": \"integer\", \"minimum\": 1.5, \"maximum\": 99.5}", 2, 99),
                new Case("{\"type\": \"integer\", \"minimum\": -1000, \"maximum\": -990}", -1000, -990),
                new Case("{\"type\": \"integer\", \"minimum\": 100, \"maximum\": 100}", 100, 100));
        assertAll(cases.stream().map(c -> () -> {
            Grammar g = JsonSchemaGrammars.fromSchema(json(c.schema()));
            for (long n = -1200; n <= 1200; n++) {
                boolean in = n >= c.lo() && n <= c.hi();
                assertEquals(in, Recogniser.matches(g, Long.toString(n)), c.schema() + " for " + n);
            }
            assertEquals(c.hi() == Long.MAX_VALUE, Recogniser.matches(g, "123456789012"), c.schema());
            assertFalse(Recogniser.matches(g, "007"), "no leading zeros");
            assertFalse(Recogniser.matches(g, "-0"), "no negative zero");
        }));
    }

    static Stream<Arguments> unsupported() {
        return Stream.of(
                Arguments.of("{\"type\": \"string\", \"pattern\": \"^a+$\"}", "/pattern", "pattern"),
                Arguments.of("{\"not\": {\"type\": \"string\"}}", "/not", "not"),
                Arguments.of("{\"if\": {}, \"then\": {}}", "/if", "if"),
                Arguments.of("{\"type\": \"object\", \"dependentSchemas\": {}}", "/dependentSchemas", "dependentSchemas"),
                Arguments.of("{\"type\": \"object\", \"properties\": {\"a\": {\"$ref\": \"https://example.org/s\"}}}",
                        "/properties/a/$ref", "$ref"),
                Arguments.of("{\"type\": \"string\", \"format\": \"email\"}", "/format", "format"),
                Arguments.of("{\"type\": \"number\", \"minimum\": 0}", "/minimum", "minimum"),
                Arguments.of("{\"type\": \"string\", \"maxLength\": 5000}", "/maxLength", "maxLength"),
                Arguments.of("{\"type\": \"array\", \"items\": false, \"minItems\": 1}", "/minItems", "minItems"),
                Arguments.of("{\"type\": \"array\", \"uniqueItems\": true}", "/uniqueItems", "uniqueItems"),
                Arguments.of("{\"properties\": {\"a\": false}, \"required\": [\"a\"]}", "/properties/a", "false"),
                Arguments.of("{\"type\": \"object\", \"frobnicate\": 1}", "/frobnicate", "frobnicate"),
                Arguments.of("{\"type\": \"string\", \"$ref\": \"#/$defs/x\", \"$defs\": {\"x\": {}}}", "/type", "type"),
                Arguments.of("{\"$ref\": \"#/$defs/missing\"}", "/$ref", "$ref"),
                Arguments.of("{\"type\": \"integer\", \"minimum\": 5, \"maximum\": 4}", "", "minimum"),
                Arguments.of("{\"type\": \"string\", \"minimum\": 1}", "/minimum", "minimum"),
                Arguments.of("{\"properties\": {\"a\": {\"type\": \"stringy\"}}}", "/properties/a/type", "type"),
                Arguments.of("{\"$ref\": \"#\"}", "", "$ref"),
                Arguments.of("{\"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"}, \"b\": {\"$ref\": \"#/$defs/a\"}},"
                        + " \"$ref\": \"#/$defs/a\"}", "", "$ref"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsupported")
    void unsupportedFeature_isRefused_namingPointerAndFeature(String schema, String pointer, String feature) {
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class,
                () -> JsonSchemaGrammars.fromSchema(json(schema)));

        assertEquals(pointer, e.pointer(), e.getMessage());
        assertEquals(feature, e.feature(), e.getMessage());
        assertTrue(e.getMessage().startsWith("schema at '" + pointer + "': "), e.getMessage());
    }

    @Test
    void schemaTooWideForTheLimits_isRefusedAsUnsupported() {
        StringBuilder schema = new StringBuilder("{\"type\": \"object\", \"properties\": {");
        for (int i = 0; i < 80; i++) {
            schema.append(i == 0 ? "" : ", ").append("\"p").append(i).append("\": {\"type\": \"integer\"}");
        }
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class,
                () -> JsonSchemaGrammars.fromSchema(json(schema + "}}")));

        assertEquals("size", e.feature());
        assertTrue(e.getMessage().contains("the limit is 64 parse stacks"), e.getMessage());
    }

    @Test
    void realisticSchema_compilesWithinTheLimits() {
        // a tool-call style schema: 20 properties, half optional, strings up to 200 characters
        StringBuilder props = new StringBuilder();
        StringBuilder required = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            props.append(i == 0 ? "" : ", ").append("\"field").append(i).append("\": ")
                    .append(i % 3 == 0 ? "{\"type\": \"string\", \"maxLength\": 200}"
                            : i % 3 == 1 ? "{\"type\": \"integer\", \"minimum\": 0, \"maximum\": 100000}"
                            : "{\"type\": \"array\", \"items\": {\"enum\": [\"a\", \"b\", \"c\"]}, \"maxItems\": 10}");
            if (i % 2 == 0) {
                required.append(required.isEmpty() ? "" : ", ").append("\"field").append(i).append('"');
            }
        }
        Grammar g = JsonSchemaGrammars.fromSchema(json("{\"type\": \"object\", \"properties\": {" + props
                + "}, \"required\": [" + required + "]}"));

        assertTrue(Recogniser.matches(g, "{\"field0\":\"x\",\"field2\":[\"a\"],\"field4\":5,\"field6\":\"\","
                + "\"field8\":[],\"field10\":3,\"field12\":\"q\",\"field14\":[\"c\",\"b\"],\"field16\":0,"
                + "\"field18\":\"z\",\"field19\":7}"), g.text());
        assertFalse(Recogniser.matches(g, "{\"field0\":\"x\"}"), "required fields are missing");
        assertTrue(g.stats().states() <= GrammarLimits.MAX_PARSE_STATES);
    }

    @Test
    void propertyNamesAndEnumStrings_areEscapedInTheGrammar() {
        Grammar g = JsonSchemaGrammars.fromSchema(json("""
                {"type": "object", "properties": {"we\\"ird\\\\key\\n": {"enum": ["tab\\there", "ü"]}},
                 "required": ["we\\"ird\\\\key\\n"]}"""));

        assertDocuments(g, List.of("{\"we\\\"ird\\\\key\\n\":\"tab\\there\"}", "{\"we\\\"ird\\\\key\\n\":\"ü\"}"),
                List.of("{\"weird\":\"ü\"}"));
    }
}
