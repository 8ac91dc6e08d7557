package dev.cerebrum.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The one JSON codec of the server (jackson-jr). Output uses the separators of Python's {@code json.dumps}
 * ({@code ", "} and {@code ": "}), so bodies and stream events read exactly like the original backend's.
 */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JSON WRITER = JSON.builder(FACTORY)
            .enable(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES)
            .prettyPrinter(new PythonSeparators())
            .build();
    private static final JSON READER = JSON.builder(FACTORY).build();

    private Json() {
    }

    /** Serialises maps, lists, strings, numbers, booleans and nulls. */
    static String write(Object value) {
        try {
            return WRITER.asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses one JSON value with nothing after it.
     *
     * @throws JsonProcessingException when the text is not exactly one JSON value
     */
    static Object read(byte[] body) throws IOException {
        try (JsonParser parser = FACTORY.createParser(body)) {
            Object value = READER.anyFrom(parser);
            if (parser.nextToken() != null) {
                throw new JsonProcessingException("trailing content after the JSON value") {
                };
            }
            return value;
        }
    }

    /** Rounds for display; NaN and infinities become 0 so the output stays valid JSON. */
    static double round(double value, int decimals) {
        if (!Double.isFinite(value)) {
            return 0.0;
        }
        return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }

    /** Writes {@code ", "} between entries and {@code ": "} after names, like Python's defaults. */
    private static final class PythonSeparators extends MinimalPrettyPrinter {
        private static final long serialVersionUID = 1L;

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }
}
