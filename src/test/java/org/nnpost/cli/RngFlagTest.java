package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.run.RunConfig;

/** --rng philox|curand reaches the GPU backend's options; cuRAND on the CPU is a one-line bad input. */
class RngFlagTest {
    @TempDir Path tmp;

    @Test
    void curandBecomesACudaOptionAndPhiloxIsTheDefault() {
        RunConfig c = SampleCommand.parse("--rng", "curand", "--backend", "cuda", "--out", tmp.resolve("r").toString());
        assertTrue(c.backend().curand());
        assertFalse(SampleCommand.parse("--out", tmp.resolve("s").toString()).backend().curand());
        assertFalse(SampleCommand.parse("--rng", "philox", "--out", tmp.resolve("t").toString()).backend().curand());
        assertTrue(SampleCommand.parse("--rng", "curand", "--precision", "tf32", "--out", tmp.resolve("u").toString())
                .backend().tf32());
    }

    @Test
    void curandOnTheCpuIsAOneLineBadInput() {
        BadInputTest.Outcome o = BadInputTest.run(List.of("sample", "--backend", "cpu", "--rng", "curand",
                "--out", tmp.resolve("c").toString()));
        assertEquals(2, o.code());
        assertEquals(1, o.errLines().size(), o.err());
        assertTrue(o.err().contains("--rng curand"), o.err());
        assertTrue(o.err().contains("GPU"), o.err());
    }

    @Test
    void anUnknownGeneratorIsAOneLineBadInputThatListsTheChoices() {
        BadInputTest.Outcome o = BadInputTest.run(List.of("sample", "--rng", "mt19937", "--out", tmp.resolve("m").toString()));
        assertEquals(2, o.code());
        assertEquals(1, o.errLines().size(), o.err());
        assertTrue(o.err().contains("philox") && o.err().contains("curand"), o.err());
    }

    @Test
    void benchRefusesCurandOnTheCpuToo() {
        BadInputTest.Outcome o = BadInputTest.run(List.of("bench", "--backend", "cpu", "--rng", "curand"));
        assertEquals(2, o.code());
        assertEquals(1, o.errLines().size(), o.err());
        assertTrue(o.err().contains("--rng curand"), o.err());
    }
}
