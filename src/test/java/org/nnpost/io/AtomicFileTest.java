package org.nnpost.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

class AtomicFileTest {
    @TempDir Path dir;

    @Test
    void completedWriteLeavesOnlyTheTarget() throws IOException {
        AtomicFile.write(dir.resolve("a.bin"), new byte[]{1, 2, 3});
        AtomicFile.write(dir.resolve("a.bin"), new byte[]{4, 5});   // replaces, never appends
        assertArrayEquals(new byte[]{4, 5}, Files.readAllBytes(dir.resolve("a.bin")));
        assertEquals(List.of("a.bin"), names());
    }

    @Test
    void failedWriteLeavesNeitherTargetNorTemporary() throws IOException {
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(dir.resolve("b.bin"), out -> {
            out.write(new byte[100_000]);   // past the buffer, so bytes did reach the temporary file
            throw new IllegalStateException("writer failed");
        }));
        assertEquals(List.of(), names());
    }

    @Test
    void failedRewriteKeepsThePreviousVersion() throws IOException {
        AtomicFile.write(dir.resolve("c.bin"), new byte[]{9});
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(dir.resolve("c.bin"), out -> {
            out.write(1);
            throw new IllegalStateException("writer failed");
        }));
        assertArrayEquals(new byte[]{9}, Files.readAllBytes(dir.resolve("c.bin")));
        assertEquals(List.of("c.bin"), names());
    }

    @Test
    void jsonWritesNonFiniteNumbersAsNullAndReadsBack() {
        ObjectNode o = Json.object();
        Json.put(o, "finite", 1.25);
        Json.put(o, "nan", Double.NaN);
        Json.put(o, "inf", Double.POSITIVE_INFINITY);
        Json.write(dir.resolve("s.json"), o);
        var back = Json.read(dir.resolve("s.json"));
        assertEquals(1.25, back.get("finite").asDouble());
        assertFalse(back.get("nan").isNumber());
        assertEquals(true, back.get("inf").isNull());
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
