package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nnpost.run.RunConfig;

/** The image-task flags: what they build, and one-line exit-2 errors for what they refuse. */
class ImageTaskFlagsTest {
    @TempDir static Path tmp;
    static Path data, empty;

    @BeforeAll
    static void fakeMnist() throws IOException {
        // parsing only checks that the files are there; their content is the readers' business
        data = tmp.resolve("datasets");
        Path mnist = Files.createDirectories(data.resolve("mnist"));
        for (String f : new String[]{"train-images-idx3-ubyte", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte"}) Files.writeString(mnist.resolve(f), "");
        empty = Files.createDirectories(tmp.resolve("empty"));
    }

    static String[] args(String... extra) {
        if (extra.length > 0 && extra[0].equals("sample")) {
            List<String> a = new ArrayList<>(Arrays.asList(extra));
            a.addAll(List.of("--out", tmp.resolve("run").toString()));
            return a.toArray(String[]::new);
        }
        List<String> a = new ArrayList<>(List.of("--out", tmp.resolve("run").toString()));
        a.addAll(Arrays.asList(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void mnistTaskTakesItsPixelCountClassesAndPreprocessing() {
        RunConfig c = SampleCommand.parse(args("--task", "mnist", "--data-dir", data.toString(), "--classes", "0,1,2",
                "--P", "100", "--Ptest", "50", "--draw", "random", "--center", "off", "--y-minus", "0"));
        assertEquals(784, c.model().N0());
        assertEquals(3, c.model().m());
        assertArrayEquals(new int[]{0, 1, 2}, c.task().classes());
        assertFalse(c.task().balanced());
        assertFalse(c.task().center());
        assertTrue(c.task().normalize());
        assertEquals(0, c.task().yMinus());
        assertEquals(data, c.task().dataDir());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown task        | --task | --task svhn",
            "repeated class      | --classes | --task mnist --classes 3,3",
            "class out of range  | --classes | --task mnist --classes 1,12",
            "N0 against pixels   | --N0 | --task mnist --N0 100",
            "orthogonal-only flag| --class-probs | --task mnist --class-probs 0.5,0.5",
            "image-only flag     | --center | --center off",
            "m against classes   | --m | --task mnist --classes 0,1,2 --m 2",
            "bad draw            | --draw | --task mnist --draw some"})
    void badImageFlagsAreOneLineExit2(String why, String names, String line) {
        List<String> a = new ArrayList<>(List.of("sample"));
        a.addAll(Arrays.asList(args(line.split(" "))));
        a.addAll(List.of("--data-dir", data.toString()));
        if (!line.contains("--task")) a.removeAll(List.of("--data-dir", data.toString()));
        BadInputTest.Outcome o = BadInputTest.run(a);
        assertEquals(2, o.code(), why + ": " + o.err());
        assertEquals(1, o.errLines().size(), o.err());
        assertTrue(o.err().contains(names), o.err());
    }

    @Test
    void missingDatasetSaysHowToFetchIt() {
        BadInputTest.Outcome o = BadInputTest.run(List.of(args("sample", "--task", "fashion-mnist", "--data-dir", empty.toString())));
        assertEquals(2, o.code());
        assertEquals(1, o.errLines().size(), o.err());
        assertTrue(o.err().contains("scripts/fetch-datasets.sh fashion-mnist"), o.err());
    }
}
