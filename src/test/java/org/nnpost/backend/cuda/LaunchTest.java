package org.nnpost.backend.cuda;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchTest {
    /** Each thread owns one Philox block of 4 parameters: enough threads, and no block wasted. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 5, 1000, 1023, 1024, 1025, 260_000, 270_400})
    void updateGridCoversEveryParameterWithOneSpareBlockAtMost(int size) {
        Launch.Grid g = Launch.update(size, 7);
        long threads = (long) g.x() * g.threads();
        assertTrue(4 * threads >= size);
        assertTrue(4 * (threads - g.threads()) < size);
        assertEquals(7, g.y());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 31, 32, 33, 500, 520})
    void readoutBackwardHasOneWarpPerChainAndNeuron(int nIn) {
        int chains = 1024;
        Launch.Grid g = Launch.readoutBackward(nIn, chains);
        long warps = (long) g.x() * g.threads() / Launch.WARP;
        assertTrue(warps >= (long) nIn * chains);
        assertTrue(warps - (long) nIn * chains < g.threads() / Launch.WARP);
    }

    @Test
    void readoutForwardHasOneThreadPerInputAndChain() {
        Launch.Grid g = Launch.readoutForward(500, 1024);
        assertEquals(4, g.x());
        assertEquals(1024, g.y());
        assertEquals(128, g.threads());
    }

    @Test
    void gridStrideKernelsAreCappedButNeverEmpty() {
        assertEquals(Launch.MAX_STRIDE_BLOCKS, Launch.elementwise(256L * 1024 * 500 * 500).x());
        assertEquals(1, Launch.elementwise(0).x());
        assertEquals(2, Launch.elementwise(257).x());
    }

    @Test
    void oversizedGridsAreRefusedNotWrapped() {
        assertThrows(IllegalArgumentException.class, () -> Launch.ceilDiv(1L << 45, 1));
    }
}
