package org.nnpost.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;


class DrawScheduleTest {
    // some schedules below (keep past the draws, no draw at all) no SamplerSpec would allow, so the
    // schedule is made from its numbers

    /** Walks the schedule as SampleRun does and lists the draw steps it stops at. */
    static List<Long> drawSteps(DrawSchedule s) {
        List<Long> out = new ArrayList<>();
        long step = 0;
        while (step < s.steps()) {
            long stop = s.nextStop(step);
            assertTrue(stop > step && stop - step <= s.maxBlock(), "block " + step + " -> " + stop);
            step = stop;
            if (s.isDraw(step)) out.add(step);
        }
        assertEquals(s.steps(), step);
        return out;
    }

    /** RunLayout states the rule for readers of a run (docs/OUTPUTS.md, export): it is this schedule's. */
    @Test
    void theLayoutsStatementOfTheRuleIsTheSchedules() {
        for (int[] c : new int[][]{{1000, 95, 10, 3}, {200, 0, 1, 7}, {50, 10, 4, 20}}) {
            DrawSchedule s = DrawSchedule.of(c[0], c[1], c[2], c[3]);
            for (long d = 0; d < s.draws(); d++) assertEquals(s.stepOf(d), org.nnpost.output.RunLayout.stepOfDraw(d, c[1], c[2]));
            for (int j = 0; j < s.kept(); j++) assertEquals(s.drawOfKept(j), org.nnpost.output.RunLayout.drawOfKept(j, s.draws(), s.kept()));
        }
    }

    @Test
    void drawsAreTheStepsPastBurnInAtMultiplesOfEvery() {
        DrawSchedule s = DrawSchedule.of(1000, 95, 10, 3);
        List<Long> steps = drawSteps(s);
        assertEquals(90, s.draws());   // (1000 − 95) / 10
        assertEquals(s.draws(), steps.size());
        for (int d = 0; d < steps.size(); d++) {
            assertEquals(s.stepOf(d), (long) steps.get(d));
            assertEquals(d, s.drawAt(steps.get(d)));
            assertEquals(0, (steps.get(d) - 95) % 10);
        }
        assertEquals(105L, steps.get(0));
        assertEquals(995L, steps.get(steps.size() - 1));
    }

    @Test
    void keptDrawsAreEvenlySpacedAndEndAtTheLastDraw() {
        DrawSchedule s = DrawSchedule.of(1000, 0, 10, 4);   // 100 draws, keep 4
        List<Long> kept = new ArrayList<>();
        for (long d = 0; d < s.draws(); d++) {
            int j = s.keptIndex(d);
            if (j >= 0) {
                assertEquals(kept.size(), j);
                kept.add(d);
            }
        }
        assertEquals(List.of(24L, 49L, 74L, 99L), kept);
    }

    @Test
    void keepingMoreThanThereAreKeepsEveryDraw() {
        DrawSchedule s = DrawSchedule.of(50, 0, 10, 100);
        assertEquals(5, s.kept());
        for (int d = 0; d < 5; d++) assertEquals(d, s.keptIndex(d));
    }

    @Test
    void noDrawsWhenBurnInCoversTheRun() {
        DrawSchedule s = DrawSchedule.of(100, 100, 10, 5);
        assertEquals(0, s.draws());
        assertEquals(0, s.kept());
        assertEquals(List.of(), drawSteps(s));
        assertEquals(-1, s.keptIndex(0));
    }
}
