package org.nnpost.backend;

import java.util.List;

import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;

/**
 * Chains split across several backends (one per GPU, say), looking like one. Each part holds a
 * contiguous range of chains and keys its noise by the global chain index, so the chains draw
 * what one backend holding them all would: the same numbers for the same seed, up to the order
 * of the float sums inside each part's reductions.
 *
 * <p>Each operation is issued to every part in turn; GPU parts queue their work asynchronously,
 * so devices run side by side. Reductions over chains (kernels, predictor moments) are added part
 * by part, in order.
 */
public final class SplitBackend implements Backend {
    private final List<Backend> parts;
    private final int[] first;     // global index of each part's first chain
    private final ModelSpec spec;
    private final int C;

    /** @param parts backends holding consecutive chain ranges, each built with its chain offset */
    public SplitBackend(List<Backend> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("no backends to split over");
        this.parts = List.copyOf(parts);
        this.spec = parts.get(0).spec();
        first = new int[parts.size() + 1];
        for (int k = 0; k < parts.size(); k++) first[k + 1] = first[k] + parts.get(k).chains();
        C = first[parts.size()];
    }

    /** How many of C chains part k of n holds: C/n, the first C mod n parts one more. */
    public static int share(int C, int n, int k) { return C / n + (k < C % n ? 1 : 0); }

    /** The global index of part k's first chain. */
    public static int offset(int C, int n, int k) {
        int o = 0;
        for (int j = 0; j < k; j++) o += share(C, n, j);
        return o;
    }

    @Override
    public String description() {
        StringBuilder s = new StringBuilder(parts.size() + " parts: ");
        for (int k = 0; k < parts.size(); k++)
            s.append(k > 0 ? "; " : "").append(parts.get(k).chains()).append(" chains on ").append(parts.get(k).description());
        return s.toString();
    }

    @Override public ModelSpec spec() { return spec; }
    @Override public int chains() { return C; }
    @Override public long step() { return parts.get(0).step(); }

    @Override
    public void load(ChainState s) {
        if (s.chains() != C) throw new IllegalArgumentException("state has " + s.chains() + " chains, backend " + C);
        for (int k = 0; k < parts.size(); k++) {
            int n = parts.get(k).chains();
            parts.get(k).load(new ChainState(n, s.seed(), s.step(), slice(s.params(), k, n),
                    s.momenta() == null ? null : slice(s.momenta(), k, n)));
        }
    }

    /** Part k's chains of every group. */
    private float[][] slice(float[][] all, int k, int n) {
        float[][] p = new float[spec.groups()][];
        for (int g = 0; g < spec.groups(); g++) {
            int size = spec.groupSize(g);
            p[g] = new float[n * size];
            System.arraycopy(all[g], first[k] * size, p[g], 0, n * size);
        }
        return p;
    }

    @Override
    public ChainState snapshot() {
        float[][] p = new float[spec.groups()][], m = null;
        for (int g = 0; g < spec.groups(); g++) p[g] = new float[C * spec.groupSize(g)];
        int seed = 0;
        long step = 0;
        for (int k = 0; k < parts.size(); k++) {
            ChainState s = parts.get(k).snapshot();
            seed = s.seed();
            step = s.step();
            if (s.momenta() != null && m == null) {
                m = new float[spec.groups()][];
                for (int g = 0; g < spec.groups(); g++) m[g] = new float[C * spec.groupSize(g)];
            }
            for (int g = 0; g < spec.groups(); g++) {
                System.arraycopy(s.params()[g], 0, p[g], first[k] * spec.groupSize(g), s.params()[g].length);
                if (s.momenta() != null) System.arraycopy(s.momenta()[g], 0, m[g], first[k] * spec.groupSize(g), s.momenta()[g].length);
            }
        }
        return new ChainState(C, seed, step, p, m);
    }

    @Override public void gradient() { for (Backend b : parts) b.gradient(); }
    @Override public void move(StepSizes h, boolean proposal) { for (Backend b : parts) b.move(h, proposal); }
    @Override public void save() { for (Backend b : parts) b.save(); }
    @Override public void metropolis(StepSizes h) { for (Backend b : parts) b.metropolis(h); }
    @Override public void advance() { for (Backend b : parts) b.advance(); }
    @Override public void baoa(Underdamping u) { for (Backend b : parts) b.baoa(u); }
    @Override public void kick(Underdamping u) { for (Backend b : parts) b.kick(u); }

    @Override
    public long[] accepted() {
        long[] a = new long[C];
        for (int k = 0; k < parts.size(); k++) System.arraycopy(parts.get(k).accepted(), 0, a, first[k], parts.get(k).chains());
        return a;
    }

    @Override
    public double[][] traces() {
        double[][] t = new double[C][];
        for (int k = 0; k < parts.size(); k++) System.arraycopy(parts.get(k).traces(), 0, t, first[k], parts.get(k).chains());
        return t;
    }

    @Override
    public long[] divergedAt() {
        long[] d = new long[C];
        for (int k = 0; k < parts.size(); k++) System.arraycopy(parts.get(k).divergedAt(), 0, d, first[k], parts.get(k).chains());
        return d;
    }

    @Override
    public double[][] gradientSquares() {
        double[][] s = new double[C][];
        for (int k = 0; k < parts.size(); k++) System.arraycopy(parts.get(k).gradientSquares(), 0, s, first[k], parts.get(k).chains());
        return s;
    }

    @Override public void accumulate() { for (Backend b : parts) b.accumulate(); }

    @Override
    public Moments moments() {
        Moments sum = null;
        for (Backend b : parts) {
            Moments m = b.moments();
            if (sum == null) { sum = m; continue; }
            sum = new Moments(sum.samples() + m.samples(), add(sum.kernelTrain(), m.kernelTrain()),
                    add(sum.kernelTest(), m.kernelTest()), add(sum.fTrain(), m.fTrain()), add(sum.fTrainSq(), m.fTrainSq()),
                    add(sum.fTest(), m.fTest()), add(sum.fTestSq(), m.fTestSq()));
        }
        return sum;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] o = new double[a.length][];
        for (int l = 0; l < a.length; l++) o[l] = add(a[l], b[l]);
        return o;
    }

    private static double[] add(double[] a, double[] b) {
        double[] o = a.clone();
        for (int i = 0; i < o.length; i++) o[i] += b[i];
        return o;
    }

    @Override public void resetMoments() { for (Backend b : parts) b.resetMoments(); }

    /**
     * The sums go to the first part and zeros to the others, so their total is the saved one; the
     * order of the float additions after a resume then differs from an unbroken run's, by rounding.
     */
    @Override
    public void restore(Moments sums, long[] accepted, long[] divergedAt) {
        for (int k = 0; k < parts.size(); k++) {
            Moments m = k == 0 ? sums : zero(sums);
            int from = first[k], to = first[k + 1];
            parts.get(k).restore(m, java.util.Arrays.copyOfRange(accepted, from, to), java.util.Arrays.copyOfRange(divergedAt, from, to));
        }
    }

    private static Moments zero(Moments s) {
        double[][] kt = new double[s.kernelTrain().length][], ke = new double[s.kernelTest().length][];
        for (int l = 0; l < kt.length; l++) {
            kt[l] = new double[s.kernelTrain()[l].length];
            ke[l] = new double[s.kernelTest()[l].length];
        }
        return new Moments(0, kt, ke, new double[s.fTrain().length], new double[s.fTrainSq().length],
                new double[s.fTest().length], new double[s.fTestSq().length]);
    }

    @Override
    public void drop(int chain) {
        for (int k = 0; k < parts.size(); k++)
            if (chain < first[k + 1]) {
                parts.get(k).drop(chain - first[k]);
                return;
            }
        throw new IndexOutOfBoundsException("chain " + chain + " of " + C);
    }

    @Override
    public float[] activations(int chain, boolean test) {
        for (int k = 0; k < parts.size(); k++)
            if (chain < first[k + 1]) return parts.get(k).activations(chain - first[k], test);
        throw new IndexOutOfBoundsException("chain " + chain + " of " + C);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Backend b : parts) {
            try {
                b.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
