package org.nnpost.scratch;

import org.junit.jupiter.api.Test;
import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.*;
import org.nnpost.model.*;
import org.nnpost.sampler.*;

class Scratch2Test {
    @Test void fdDouble() {
        for (Scaling sc : Scaling.values()) for (int L = 0; L <= 3; L++) for (Phi phi : Phi.values()) {
            ModelSpec spec = new ModelSpec(L, 7, 6, 2, phi, sc, 2.0, true, 1.0, 1.0);
            Task t = OrthogonalTask.generate(6, 5, 3, new double[]{.5,.5}, true, 1, -1, 0.5, 1);
            ChainState s = ChainState.fromPrior(spec, 2, 3);
            double[][] th = new double[spec.groups()][];
            for (int g = 0; g < spec.groups(); g++) { th[g] = new double[spec.groupSize(g)]; for (int i = 0; i < th[g].length; i++) th[g][i] = s.params()[g][i]; }
            Potential pot = new Potential(spec, t.train());
            double[][] gr = pot.gradient(th);
            double maxErr = 0;
            for (int g = 0; g < spec.groups(); g++) for (int i = 0; i < th[g].length; i++) {
                double h = 1e-5, o = th[g][i];
                th[g][i] = o + h; double up = pot.value(th); th[g][i] = o - h; double dn = pot.value(th); th[g][i] = o;
                double fd = (up - dn) / (2*h);
                maxErr = Math.max(maxErr, Math.abs(fd - gr[g][i]) / Math.max(Math.abs(fd), 1e-3));
            }
            CpuBackend b = new CpuBackend(spec, t, 2, 1); b.load(s); b.gradient();
            double maxB = 0;
            for (int g = 0; g < spec.groups(); g++) { float[] lg = b.likelihoodGradient(g); double nrm = 0; for (double v: gr[g]) nrm = Math.max(nrm, Math.abs(v));
              for (int i = 0; i < th[g].length; i++) maxB = Math.max(maxB, Math.abs(lg[i] + th[g][i]/spec.priorVariance(g) - gr[g][i]) / nrm); }
            System.out.println(sc + " L=" + L + " " + phi + " FD " + maxErr + " cpu-vs-ref " + maxB + " U " + b.traces()[0][0] + " vs " + pot.value(th));
        }
    }
}
