package org.nnpost.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** manifest.json and summary.json: pretty-printed, written atomically, non-finite numbers as null. */
public final class Json {
    private Json() {}

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

    public static ObjectNode object() { return MAPPER.createObjectNode(); }

    public static ArrayNode array() { return MAPPER.createArrayNode(); }

    /** JSON has no NaN or infinity; an undefined diagnostic (R-hat of a constant trace) is null. */
    public static void put(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v);
        else o.putNull(key);
    }

    public static ArrayNode doubles(double[] v) {
        ArrayNode a = array();
        for (double x : v) {
            if (Double.isFinite(x)) a.add(x);
            else a.addNull();
        }
        return a;
    }

    public static ArrayNode floats(float[] v) {
        ArrayNode a = array();
        for (float x : v) {
            if (Float.isFinite(x)) a.add(x);
            else a.addNull();
        }
        return a;
    }

    public static ArrayNode ints(int[] v) {
        ArrayNode a = array();
        for (int x : v) a.add(x);
        return a;
    }

    public static void write(Path path, JsonNode node) {
        AtomicFile.write(path, out -> {
            MAPPER.writeValue(out, node);
            out.write('\n');
        });
    }

    public static JsonNode read(Path path) {
        try {
            return MAPPER.readTree(path.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** A JSON text (one line of a lock file, say). */
    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + e.getMessage(), e);
        }
    }
}
