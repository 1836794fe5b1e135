package org.nnpost.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.BackendSpec;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

class BenchTest {

    /** SPEC §9: 4·P·N0·N for one hidden layer, plus 6·P·N² for each further layer. */
    @Test
    void flopCountFollowsSpecSectionNine() {
        Bench.Preset ref = Bench.Preset.named("reference");
        assertEquals(4.0 * 200 * 220 * 200, Bench.flopsPerChainStep(ref.spec(), ref.P()));
        Bench.Preset deep = Bench.Preset.named("deep");
        assertEquals(4.0 * 200 * 220 * 200 + 2 * 6.0 * 200 * 200 * 200, Bench.flopsPerChainStep(deep.spec(), deep.P()));
        Bench.Preset paper = Bench.Preset.named("paper");
        assertEquals(4.0 * 500 * 520 * 500, Bench.flopsPerChainStep(paper.spec(), paper.P()));
        for (int L = 1; L <= 4; L++) {
            ModelSpec s = new ModelSpec(L, 37, 53, 3, Phi.ERF, Scaling.LAZY, 1, true, 1, 1);
            assertEquals(4.0 * 11 * 53 * 37 + 6.0 * 11 * 37 * 37 * (L - 1), Bench.flopsPerChainStep(s, 11), "L=" + L);
        }
        ModelSpec linear = new ModelSpec(0, 37, 53, 3, Phi.LINEAR, Scaling.LAZY, 1, true, 1, 1);
        assertEquals(4.0 * 11 * 53 * 3, Bench.flopsPerChainStep(linear, 11));
    }

    @Test
    void presetsHaveTheDocumentedSizes() {
        check(Bench.named("small"), 1, 100, 100, 110, 16);
        check(Bench.named("reference"), 1, 200, 200, 220, 16);
        check(Bench.named("paper"), 1, 500, 500, 520, 16);
        check(Bench.named("deep"), 3, 200, 200, 220, 16);
        assertThrows(IllegalArgumentException.class, () -> Bench.named("huge"));
    }

    private static void check(Bench.Preset p, int L, int N, int P, int N0, int C) {
        assertEquals(L, p.spec().L());
        assertEquals(N, p.spec().N());
        assertEquals(P, p.P());
        assertEquals(N0, p.spec().N0());
        assertEquals(C, p.chains());
        assertEquals(Phi.RELU, p.spec().phi());
        assertEquals(P, p.task().train().P());
    }

    /** A tiny run: the numbers are positive and consistent, the line and the JSON say them. */
    @Test
    void measureReportsMedianSpreadAndGflops() {
        Bench.Preset tiny = new Bench.Preset("tiny",
                new ModelSpec(1, 20, 24, 2, Phi.RELU, Scaling.MEANFIELD, 1, true, 1, 1), 16, 4, 4);
        Bench.Result r = Bench.measure(tiny, BackendSpec.cpu(2), 2, 5, 3);
        assertEquals(3, r.perRepeat().length);
        assertTrue(r.min() > 0 && r.min() <= r.median() && r.median() <= r.max(), r.format());
        assertEquals(r.median() * Bench.flopsPerChainStep(tiny.spec(), 16) * 1e-9, r.gflops(), 1e-9 * r.gflops());
        assertEquals(0, r.diverged());
        assertTrue(r.format().contains("chain-steps/s"), r.format());
        assertTrue(r.toJson().startsWith("{\"preset\": \"tiny\"") && r.toJson().contains("\"chain_steps_per_s\": "), r.toJson());
    }

    /** Every algorithm timed, in the order asked, each with its own rates; its steps change the chains it times. */
    @Test
    void measuresEachAlgorithmInAlternatingRounds() {
        Bench.Preset tiny = new Bench.Preset("tiny",
                new ModelSpec(1, 20, 24, 2, Phi.RELU, Scaling.MEANFIELD, 1, true, 1, 1), 16, 4, 4);
        List<Bench.Result> rs = Bench.measure(tiny, BackendSpec.cpu(1), 1, 4, 3, Bench.ETA, new String[]{"ula", "mala", "uld"});
        assertEquals(List.of("ula", "mala", "uld"), rs.stream().map(Bench.Result::sampler).toList());
        for (Bench.Result r : rs) {
            assertEquals(3, r.perRepeat().length);
            assertTrue(r.min() > 0 && r.median() <= r.max(), r.format());
            assertEquals(0, r.diverged());
            assertTrue(r.format().contains(" " + r.sampler() + " "), r.format());
            assertTrue(r.toJson().contains("\"sampler\": \"" + r.sampler() + "\""), r.toJson());
        }
    }

    @Test
    void mixingReportsEveryTracesEssTheSlowestAndTheReadoutsPerSecondOfItsOwnRun() {
        Bench.Preset p = Bench.Preset.named("small").withChains(3);
        Bench.Mixing m = Bench.mixing(p, BackendSpec.cpu(1), 400, 4, 0.005f);
        // 3 chains x 50 kept draws: the bulk ESS lies between a few and a few times their number
        assertEquals(4, m.essBulk().length);
        for (double e : m.essBulk()) assertTrue(e > 1 && e < 3 * 150, "ESS " + e);
        assertTrue(m.essReadout() > 1 && m.essReadout() < 3 * 150, "readout ESS " + m.essReadout());
        for (double e : m.essBulk()) assertTrue(m.essSlowest() <= e);
        assertEquals(m.essSlowest() / m.seconds(), m.essPerSecond(), 1e-12 * m.essPerSecond());
        assertEquals(3 * 200 / m.seconds(), m.chainStepsPerSecond(), 1e-9 * m.chainStepsPerSecond());
        assertTrue(m.mcseLoss() > 0 && m.mcseLoss() < m.meanLoss(), m.format());
        assertTrue(Double.isNaN(m.acceptance()), "ULA accepts nothing: " + m.acceptance());
        assertTrue(m.toJson().contains("\"ess_per_s\": ") && m.toJson().contains("\"slowest\": \"" + m.traces()[m.slowest()] + "\""),
                m.toJson());
        assertThrows(IllegalArgumentException.class,
                () -> Bench.mixing(p, BackendSpec.cpu(1), 10, 4, 0.005f));
    }

    /** The same seed gives every algorithm the same start; MALA reports its acceptance, and --eta auto its tuned step sizes. */
    @Test
    void mixingRunsEveryAlgorithmAndTunesWithAuto() {
        Bench.Preset p = Bench.Preset.named("small").withChains(2);
        Bench.Mixing mala = Bench.mixing(p, BackendSpec.cpu(1), 400, 4, "mala", 0.005f, false, 2f, false);
        assertTrue(mala.acceptance() > 0 && mala.acceptance() <= 1, mala.format());
        Bench.Mixing uld = Bench.mixing(p, BackendSpec.cpu(1), 400, 4, "uld", 0.005f, false, 2f, false);
        assertTrue(Double.isFinite(uld.essSlowest()) && uld.toJson().contains("\"friction\": 2"), uld.toJson());
        Bench.Mixing auto = Bench.mixing(p, BackendSpec.cpu(1), 400, 4, "mala", 0.005f, true, 2f, false);
        assertTrue(auto.tuned() && auto.format().contains("(auto)"), auto.format());
        assertTrue(auto.eta()[0] != 0.005f || auto.eta()[1] != 0.005f, "tuned step sizes " + java.util.Arrays.toString(auto.eta()));
        // a reference run burnt in by ULD: MALA measures only the second half, from ULD's state
        Bench.Mixing warm = Bench.mixing(p, BackendSpec.cpu(1), 400, 4, "mala", 0.005f, false, 2f, true);
        assertTrue(warm.acceptance() > 0 && warm.acceptance() <= 1 && Double.isFinite(warm.essSlowest()), warm.format());
        assertTrue(warm.meanLoss() != mala.meanLoss(), "another first half, other draws");
        assertThrows(IllegalArgumentException.class, () -> Bench.mixing(p, BackendSpec.cpu(1), 400, 4, "mala", 0.005f, true, 2f, true));
    }

    /** Chains that blow up are counted, in the timing run and in the ESS run, which stops there and has no ESS. */
    @Test
    void divergedChainsAreCountedAndTheEssRunStops() {
        Bench.Preset tiny = new Bench.Preset("tiny",
                new ModelSpec(1, 20, 24, 2, Phi.RELU, Scaling.MEANFIELD, 1, true, 1, 1), 16, 4, 3);
        Bench.Result r = Bench.measure(tiny, BackendSpec.cpu(1), 1, 5, 1, 1e3f);
        assertEquals(3, r.diverged(), r.format());
        Bench.Mixing m = Bench.mixing(tiny, BackendSpec.cpu(1), 400, 4, 1e3f);
        assertEquals(3, m.diverged());
        assertTrue(m.steps() < 400, "stopped at the divergence: " + m.steps());
        assertTrue(Double.isNaN(m.essSlowest()) && Double.isNaN(m.essPerSecond()), m.format());
        assertTrue(m.toJson().endsWith("\"diverged\": 3}"), m.toJson());
    }
}
