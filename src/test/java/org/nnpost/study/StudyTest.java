package org.nnpost.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import org.nnpost.io.Json;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunSettings;
import org.nnpost.run.Settings;
import org.nnpost.spec.SpecException;

/** Study files: what they hold, the points they expand to, their names, and how two studies differ. */
class StudyTest {

    static Study study(String json) {
        return Study.of(Json.parse(json), "s.json");
    }

    @Test
    void pointsAreTheGridsProductTimesTheZipTimesTheSeedsFastest() {
        Study s = study("""
                {"base": {"L": 1, "N0": 24}, "grid": {"N": [50, 100], "phi": ["linear", "erf"]},
                 "zip": {"P": [10, 20], "Ptest": [5, 6]}, "seeds": 2}""");
        List<Study.Point> p = s.points();
        assertEquals(16, p.size());
        assertEquals("N=50,phi=linear,P=10,Ptest=5,seed=1", p.get(0).name());
        assertEquals("N=50,phi=linear,P=10,Ptest=5,seed=2", p.get(1).name());
        assertEquals("N=50,phi=linear,P=20,Ptest=6,seed=1", p.get(2).name());
        assertEquals("N=50,phi=erf,P=10,Ptest=5,seed=1", p.get(4).name());
        assertEquals("N=100,phi=erf,P=20,Ptest=6,seed=2", p.get(15).name());
        assertEquals("N=100,phi=erf,P=20,Ptest=6", p.get(15).group(), "a group is a point without its seed");
        assertEquals(Map.of("N", "100", "phi", "erf", "P", "20", "Ptest", "6", "seed", "2"), p.get(15).values());
        assertEquals(List.of("N", "phi", "P", "Ptest"), s.varied());
        for (int k = 0; k < p.size(); k++) assertEquals(k, p.get(k).index());
    }

    @Test
    void seedsAreACountOrAListAndTheDataSeedStaysAsTheBaseSays() {
        assertEquals(List.of(1L, 2L, 3L), study("{\"seeds\": 3}").seeds());
        assertEquals(List.of(4L, 9L), study("{\"seeds\": [4, 9]}").seeds());
        assertEquals(List.of(1L), study("{}").seeds());
        Study s = study("{\"base\": {\"data_seed\": 7, \"N0\": 8, \"P\": 6, \"Ptest\": 4}, \"grid\": {\"N\": [6]}, \"seeds\": 2}");
        for (Study.Point p : s.points()) {
            RunConfig c = RunSettings.config(s.settings(p, null), Path.of("x", p.name()));
            assertEquals(7, c.task().dataSeed());
            assertEquals(p.seed(), Integer.toUnsignedLong(c.sampler().seed()));
        }
    }

    @Test
    void aListValuedSettingVariesAsAWholeAndNamesItsValuesWithUnderscores() {
        Study s = study("{\"base\": {\"L\": 1}, \"grid\": {\"eta\": [[0.01, 0.001], [0.005, 0.0005]]}}");
        assertEquals("eta=0.01_0.001,seed=1", s.points().get(0).name());
        Settings v = s.settings(s.points().get(1), null);
        assertEquals("0.005,5.0E-4", v.raw("eta"), "the value as a --config file's 0.0005 gives it");
        assertEquals("eta=0.005_0.0005,seed=1", s.points().get(1).name());
        assertEquals("eta (in s.json grid)", v.label("eta"));
        assertEquals("seeds (in s.json)", v.label("seed"));
    }

    @Test
    void namesReplaceTheDerivedOnes() {
        Study s = study("{\"grid\": {\"phi\": [\"linear\", \"erf\"]}, \"names\": [\"lin\", \"e\"]}");
        assertEquals(List.of("lin", "e"), s.points().stream().map(Study.Point::name).toList());
        assertEquals("phi=erf", s.points().get(1).group());
    }

    @Test
    void whatAStudyCannotHoldIsRefusedInOneLineNamingIt() {
        for (String[] c : new String[][]{
                {"{\"bsae\": {}}", "unknown key \"bsae\""},
                {"{\"base\": {\"seed\": 3}}", "\"seed\" cannot be part of a study (allowed: the sampler seeds are the study's \"seeds\""},
                {"{\"base\": {\"out\": \"x\"}}", "\"out\" cannot be part of a study"},
                {"{\"grid\": {\"devices\": [\"0,1\"]}}", "--devices"},
                {"{\"base\": {\"sigma-w2\": 2}}", "sigma_w2 (files spell keys with underscores)"},
                {"{\"base\": {\"Nn\": 2}}", "unknown setting \"Nn\""},
                {"{\"grid\": {\"N\": []}}", "N is not a non-empty list"},
                {"{\"grid\": {\"N\": [50, 50]}}", "N lists 50 twice"},
                {"{\"base\": {\"N\": 5}, \"grid\": {\"N\": [50]}}", "N is in base too"},
                {"{\"zip\": {\"P\": [1, 2], \"N0\": [3]}}", "lists of 2 and 1 values (N0)"},
                {"{\"seeds\": 0}", "count 0 out of range"},
                {"{\"seeds\": [1, 1]}", "1 twice"},
                {"{\"seeds\": [-1]}", "-1 out of range"},
                {"{\"observables\": [\"nonsense\"]}", "unknown observable \"nonsense\""},
                {"{\"grid\": {\"N\": [1, 2]}, \"names\": [\"a\"]}", "1 names for 2 points"},
                {"{\"grid\": {\"N\": [1, 2]}, \"names\": [\"a\", \"../b\"]}", "\"../b\" is not a plain name"},
                {"{\"grid\": {\"data_dir\": [\"" + "d/".repeat(70) + "\"]}}", "too long for a directory"}}) {
            SpecException e = assertThrows(SpecException.class, () -> study(c[0]).points(), c[0]);
            assertTrue(e.getMessage().startsWith("s.json: "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }

    @Test
    void observablesAcceptGroupsColumnsAndTheoryColumns() {
        Study s = study("{\"observables\": [\"coding\", \"test_error\", \"readout_U_0_1\", \"theory_mf_test_error\"]}");
        assertEquals(4, s.observables().size());
        assertNull(study("{}").observables());
    }

    @Test
    void theCommandLineAndAFileOfTheSameStudyCompareEqualAndADiffSaysWhatChanged() {
        ObjectNode cli = (ObjectNode) Json.parse("{\"base\": {\"N0\": \"24\", \"eta\": [0.01, 0.001]}, \"grid\": {\"N\": [50, \"100\"]}, \"seeds\": \"2\"}");
        Study a = Study.fromCommandLine(cli);
        Study b = study("{\"grid\": {\"N\": [50, 100]}, \"base\": {\"eta\": [0.01, 0.001], \"N0\": 24}, \"seeds\": [1, 2]}");
        assertEquals(a.normalized(), b.normalized());
        assertEquals(List.of(), b.diff(a));
        Study c = study("{\"grid\": {\"N\": [50, 100, 200]}, \"base\": {\"eta\": [0.01, 0.001], \"N0\": 24, \"steps\": 800}, \"seeds\": 3}");
        assertEquals(List.of("base.steps: added 800", "grid.N: [50, 100] -> [50, 100, 200]", "seeds: [1, 2] -> [1, 2, 3]"), c.diff(b));
        Study d = study("{\"grid\": {\"N\": [50, 100]}, \"base\": {\"N0\": 24}, \"seeds\": [1, 2]}");
        assertEquals(List.of("base.eta: removed (was 0.01,0.001)"), d.diff(b));
        assertEquals("--grid N", Study.fromCommandLine(cli).label("grid", "N"));
        assertEquals("--N0", Study.fromCommandLine(cli).label("base", "N0"));
    }

    @Test
    void aBadPointIsNamedWithItsSettingBeforeAnythingIsMade() {
        Study s = study("{\"base\": {\"N0\": 24, \"Ptest\": 4}, \"grid\": {\"P\": [10, 30], \"N\": [8]}}");
        Path dir = Path.of("target", "never-made-" + System.nanoTime());
        SpecException e = assertThrows(SpecException.class, () -> Sweep.plan(new Sweep.Request(s, dir, null, Sweep.Shard.ALL, null, false, "")));
        assertTrue(e.getMessage().startsWith("point P=30,N=8,seed=1: "), e.getMessage());
        assertTrue(e.getMessage().contains("P (in s.json grid) 30"), e.getMessage());
        assertTrue(!java.nio.file.Files.exists(dir), "nothing is made for a study with a bad point");
    }

    @Test
    void shardsShareThePointsRoundRobin() {
        Sweep.Shard s = Sweep.Shard.parse("1/3");
        assertTrue(s.has(1) && s.has(4) && !s.has(0) && !s.has(2));
        assertThrows(SpecException.class, () -> Sweep.Shard.parse("3/3"));
        assertThrows(SpecException.class, () -> Sweep.Shard.parse("1"));
        assertThrows(SpecException.class, () -> Sweep.Shard.parse("0/0"));
    }
}
