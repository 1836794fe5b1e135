package org.nnpost.output;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.backend.Backend;
import org.nnpost.backend.Traces;
import org.nnpost.diagnostics.ClassErrors;
import org.nnpost.diagnostics.CodingMetrics;
import org.nnpost.diagnostics.Convergence;
import org.nnpost.diagnostics.ConvergenceChecks;
import org.nnpost.diagnostics.TraceRecorder;
import org.nnpost.diagnostics.TraceStats;
import org.nnpost.diagnostics.Warning;
import org.nnpost.io.Json;
import org.nnpost.sampler.SamplerSpec;

/**
 * summary.json: every trace's mean, sd, MCSE of the mean and 94% HDI ({@link TraceStats}, as
 * az.summary reports them) and convergence (R̂, bulk and tail ESS), train and test error of the
 * posterior mean predictor and of single samples (Gibbs), mean loss, the coding scheme of the
 * kept draws (analog, redundant, sparse, with the numbers behind the call), MALA's acceptance
 * rate, timings and throughput, and the convergence warnings ({@link ConvergenceChecks}): a list
 * of {code, trace, chains, value, threshold, message}, empty when every check passes; when R̂ or
 * ESS fail, the coding call is kept and marked {@code "reliable": false} with the reason.
 * Undefined numbers are null.
 */
public final class RunSummary {
    private RunSummary() {}

    /** The JSON, the worst convergence numbers for the CLI's closing line, and the warnings. */
    public record Built(ObjectNode json, double maxRhat, double minEssBulk, List<Warning> warnings) {
        public Built {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * @param dropped per chain, whether --on-divergence drop dropped it: its traces (NaN from its
     *                drop on) count in no diagnostic, mean or rate; null when none was
     */
    public static Built build(SamplerSpec s, Backend backend, TraceRecorder traces, boolean[] dropped,
                            ClassErrors trainErr, ClassErrors testErr, ClassErrors gibbsTrain, ClassErrors gibbsTest,
                            CodingMetrics coding, double samplingSeconds, double observeSeconds, double totalSeconds) {
        ObjectNode o = Json.object();
        o.put("chains", s.chains());
        o.put("steps", s.steps());
        o.put("draws", traces.draws());
        o.put("kept_draws", Math.min(s.keepDraws(), traces.draws()));
        ArrayNode warningsJson = o.putArray("warnings");   // filled below, read first

        Json.put(o, "hdi_prob", TraceStats.HDI_PROB);
        ObjectNode diag = o.putObject("diagnostics");
        double maxRhat = Double.NaN, minBulk = Double.NaN, minTail = Double.NaN;
        String[] names = traces.names();
        List<double[][]> chains = new ArrayList<>();
        List<Convergence.Diagnostics> diagnostics = new ArrayList<>();
        for (int k = 0; k < names.length; k++) {
            chains.add(healthy(traces.chainsOf(k), dropped));
            Convergence.Diagnostics d = Convergence.of(chains.get(k));
            diagnostics.add(d);
            ObjectNode t = diag.putObject(names[k]);
            Json.put(t, "mean", mean(chains.get(k)));
            TraceStats st = TraceStats.of(chains.get(k));
            Json.put(t, "sd", st.sd());
            Json.put(t, "mcse_mean", st.mcseMean());
            Json.put(t, "hdi_3%", st.hdiLow());
            Json.put(t, "hdi_97%", st.hdiHigh());
            Json.put(t, "rhat", d.rhat());
            Json.put(t, "ess_bulk", d.essBulk());
            Json.put(t, "ess_tail", d.essTail());
            maxRhat = maxIgnoringNaN(maxRhat, d.rhat());
            minBulk = -maxIgnoringNaN(-minBulk, -d.essBulk());
            minTail = -maxIgnoringNaN(-minTail, -d.essTail());
        }
        Json.put(o, "max_rhat", maxRhat);
        Json.put(o, "min_ess_bulk", minBulk);
        Json.put(o, "min_ess_tail", minTail);
        Json.put(o, "mean_loss", traces.draws() > 0 ? mean(healthy(traces.chainsOf(Traces.LOSS), dropped)) : Double.NaN);

        ObjectNode err = o.putObject("error");
        ObjectNode train = err.putObject("train"), test = err.putObject("test");
        train.set("mean_predictor", errors(trainErr));
        train.set("gibbs", errors(gibbsTrain));
        // the Gibbs error is scored on the kept draws only, where the weights are at hand
        o.put("gibbs_samples", (long) s.chains() * Math.min(s.keepDraws(), traces.draws()));
        test.set("mean_predictor", errors(testErr));
        test.set("gibbs", errors(gibbsTest));

        boolean mala = s.algorithm().equals("mala");
        List<Warning> warnings = ConvergenceChecks.all(names, chains, diagnostics, mala ? backend.accepted() : null, s.steps());
        warningsJson.addAll(warnings(warnings));

        if (coding != null) {
            ObjectNode c = o.putObject("coding");
            c.put("scheme", coding.scheme());
            c.put("reason", coding.reason());
            String unreliable = ConvergenceChecks.reliability(warnings);
            c.put("reliable", unreliable == null);
            c.put("reliability", unreliable == null ? null : unreliable + ": the kept draws may not represent the posterior");
            Json.put(c, "participation_ratio_per_N", coding.participationRatioPerN());
            Json.put(c, "excess_kurtosis", coding.excessKurtosis());
            ObjectNode codes = c.putObject("codes");
            coding.codes().forEach((k, v) -> Json.put(codes, k, v));
            c.set("active_fraction_per_class", Json.doubles(coding.activeFractionPerClass()));
        }

        if (mala) {
            long[] acc = backend.accepted();
            double[] rate = new double[acc.length];
            double mean = 0;
            int n = 0;
            for (int c = 0; c < acc.length; c++) {
                rate[c] = s.steps() == 0 ? Double.NaN : (double) acc[c] / s.steps();
                if (dropped == null || !dropped[c]) { mean += rate[c]; n++; }
            }
            mean /= Math.max(1, n);
            ObjectNode a = o.putObject("acceptance_rate");
            Json.put(a, "mean", mean);
            a.set("per_chain", Json.doubles(rate));
        }

        ObjectNode time = o.putObject("timings");
        Json.put(time, "sampling_s", samplingSeconds);
        Json.put(time, "observe_s", observeSeconds);
        Json.put(time, "total_s", totalSeconds);
        double rate = s.steps() / samplingSeconds;
        Json.put(o, "steps_per_second", rate);
        Json.put(o, "chain_steps_per_second", rate * s.chains());
        return new Built(o, maxRhat, minBulk, warnings);
    }

    /** The warnings as summary.json lists them: code, trace, chains, value, threshold, message (null where none). */
    public static ArrayNode warnings(List<Warning> warnings) {
        ArrayNode a = Json.array();
        for (Warning w : warnings) {
            ObjectNode j = a.addObject();
            j.put("code", w.code());
            j.put("trace", w.trace());
            int[] chains = w.chains();
            if (chains == null) j.putNull("chains");
            else {
                ArrayNode c = j.putArray("chains");
                for (int i : chains) c.add(i);
            }
            Json.put(j, "value", w.value());
            Json.put(j, "threshold", w.threshold());
            j.put("message", w.message());
        }
        return a;
    }

    /** The chains that were never dropped. */
    static double[][] healthy(double[][] chains, boolean[] dropped) {
        if (dropped == null) return chains;
        java.util.List<double[]> keep = new java.util.ArrayList<>();
        for (int c = 0; c < chains.length; c++) if (!dropped[c]) keep.add(chains[c]);
        return keep.toArray(new double[0][]);
    }

    /** Mean over all chains and draws, in chain then draw order (TraceRecorder.mean's order). */
    static double mean(double[][] chains) {
        double sum = 0;
        long n = 0;
        for (double[] c : chains) {
            for (double v : c) sum += v;
            n += c.length;
        }
        return sum / n;
    }

    private static ObjectNode errors(ClassErrors e) {
        ObjectNode o = Json.object();
        if (e == null) {
            o.putNull("overall");
            o.putNull("per_class");
            return o;
        }
        Json.put(o, "overall", e.overall());
        o.set("per_class", Json.doubles(e.perClass()));
        ObjectNode count = o.putObject("count_per_class");
        for (int r = 0; r < e.count().length; r++) count.put(String.valueOf(r), e.count()[r]);
        return o;
    }

    private static double maxIgnoringNaN(double a, double b) {
        if (Double.isNaN(a)) return b;
        if (Double.isNaN(b)) return a;
        return Math.max(a, b);
    }
}
