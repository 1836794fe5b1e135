package org.nnpost.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.backend.Backend;
import org.nnpost.backend.BackendFactory;
import org.nnpost.backend.PackedBackend;
import org.nnpost.backend.Packing;
import org.nnpost.backend.StepConstants;
import org.nnpost.data.Task;
import org.nnpost.output.OutputDir;
import org.nnpost.sampler.PackedSampler;
import org.nnpost.sampler.Sampler;
import org.nnpost.sampler.SamplerSpec;
import org.nnpost.spec.NnpostException;

/**
 * New runs that share the network's shape and the data but differ in β₀, the σ's, the targets,
 * the step sizes, the chain count or the seed, sampled as one batch of chains ({@link Packing}):
 * one backend steps every member's chains at once, and each member is an ordinary
 * {@link SampleRun} over its view of the backend, writing its own run directory. The noise of a
 * member's chain is addressed by the member's seed and the chain's index within it, its sums are
 * its own and its loop the same as alone, so every member's directory holds, byte for byte, what
 * running it alone gives (timings and the backend line aside). A member that diverges, fails or
 * is interrupted ends as it would alone; the others go on (its chains keep being stepped, read by
 * no one).
 *
 * <p>What may differ between members and what may not is {@link #key}; {@link #whyNot} says why a
 * run cannot be packed at all (--eta auto reads the chains after every tuning step; cuRAND's
 * noise is keyed by one seed; a run split across GPUs).
 */
public final class PackedRun {
    private PackedRun() {}

    /** How a member ended: its result, or what it threw (as running it alone would have). */
    public record Ended(RunResult result, RuntimeException error) {}

    /** The most chains one pack holds (a GPU's grid holds at most 65535 chains on its y axis). */
    public static final int MAX_CHAINS = 65535;

    /** The parameters members may differ in; all others (shapes, data, schedule, sampler, machine) they share. */
    static final List<String> MAY_DIFFER = List.of("beta0", "beta_scaling", "sigma_w2", "sigma_a2", "sigma_a2_per_P", "y_plus",
            "y_minus", "eta", "friction", "chains", "seed");

    /** Runs with equal keys can be packed together (when {@link #whyNot} says nothing against each). */
    public static String key(RunConfig c) {
        ObjectNode p = RunSettings.parameters(c);
        p.remove(MAY_DIFFER);
        p.put("checkpoint_every", c.options().checkpoints().text());
        p.put("strict", c.options().strict());
        return p.toString();
    }

    /** Why a run cannot share a backend with others, or null when it can. */
    public static String whyNot(RunConfig c) {
        if (c.sampler().autoEta()) return "--eta auto tunes each run's step sizes by reading its chains after every step";
        if (c.backend().curand()) return "--rng curand draws one stream per run";
        if (c.backend().devices() != null && c.backend().devices().length >= 2) return "--devices splits a run across GPUs";
        return null;
    }

    private static final class Member {
        final RunConfig config;
        final Progress progress;
        Task task;
        int slot = -1;        // index in the pack
        SampleRun run;
        boolean looping;
        Ended ended;

        Member(RunConfig config, Progress progress) {
            this.config = config;
            this.progress = progress;
        }

        boolean live() { return ended == null && run != null; }

        void fail(RuntimeException e) { ended = new Ended(null, e); }
    }

    /**
     * New runs, packed; the list of how each ended, in their order.
     *
     * @throws IllegalArgumentException when the runs cannot be packed (keys differ, a {@link #whyNot},
     *                                  other inputs): nothing was started
     */
    public static List<Ended> execute(List<RunConfig> configs, List<Progress> progress) {
        long started = System.nanoTime();
        if (configs.isEmpty() || configs.size() != progress.size()) throw new IllegalArgumentException("one progress per run");
        for (RunConfig c : configs) {
            String why = whyNot(c);
            if (why != null) throw new IllegalArgumentException(why);
            if (!key(c).equals(key(configs.get(0)))) throw new IllegalArgumentException("runs of other shapes, data or schedules");
        }
        List<Member> members = new ArrayList<>();
        for (int k = 0; k < configs.size(); k++) members.add(new Member(configs.get(k), progress.get(k)));
        // what a run checks before its backend exists
        for (Member mb : members) {
            try {
                OutputDir.checkUsable(mb.config.outDir());
                mb.task = mb.config.task().build();
                SampleRun.checkData(mb.config, mb.task);
            } catch (NnpostException e) {
                mb.fail(e);
            }
        }
        List<Member> packed = members.stream().filter(mb -> mb.ended == null).toList();
        if (packed.isEmpty()) return ended(members);
        Task shared = packed.get(0).task;
        for (Member mb : packed)
            if (!Arrays.equals(mb.task.train().x(), shared.train().x()) || !Arrays.equals(mb.task.test().x(), shared.test().x()))
                throw new IllegalArgumentException("runs on other inputs");
        int[] chains = new int[packed.size()];
        StepConstants[] constants = new StepConstants[packed.size()];
        List<Sampler> samplers = new ArrayList<>();
        for (int j = 0; j < packed.size(); j++) {
            Member mb = packed.get(j);
            mb.slot = j;
            chains[j] = mb.config.sampler().chains();
            constants[j] = StepConstants.of(mb.config.model(), mb.task.train());
            samplers.add(Sampler.of(mb.config.sampler()));
        }
        RunConfig first = packed.get(0).config;
        BackendFactory.Choice choice = BackendFactory.createPacked(first.backend(), first.model(), shared,
                new Packing(chains, constants), null);
        String reason = choice.reason() + "; packed with " + (packed.size() - 1) + " other run" + (packed.size() == 2 ? "" : "s")
                + " of the same shape and data (" + Arrays.stream(chains).sum() + " chains in all)";
        for (Member mb : packed) mb.progress.message(reason);
        try (Backend b = choice.backend()) {
            PackedBackend pack = (PackedBackend) b;
            for (Member mb : packed) {
                try {
                    try {
                        SampleRun.load(mb.config, mb.task, pack.member(mb.slot), mb.progress);
                    } catch (NnpostException e) {
                        // a start the theory cannot give: the member fails, its chains (stepped, read by
                        // no one) start from the prior so that the pack's arithmetic stays finite
                        SampleRun.load(mb.config.with(mb.config.sampler().withInit(SamplerSpec.INIT_PRIOR)), mb.task,
                                pack.member(mb.slot), null);
                        throw e;
                    }
                    SampleRun.checkStart(mb.config, mb.task, pack.member(mb.slot));
                    mb.run = SampleRun.claimNew(mb.config, mb.task, pack.member(mb.slot), reason, mb.progress, started);
                } catch (NnpostException e) {
                    mb.fail(e);
                }
            }
            for (Member mb : packed) guard(mb, () -> mb.run.writeStart());
            sample(pack, new PackedSampler(samplers), packed);
            for (Member mb : packed) guard(mb, () -> mb.ended = new Ended(mb.run.end(), null));
        } finally {
            for (Member mb : packed) {
                if (mb.run == null) continue;
                mb.run.cleanUp();
                mb.run.lock().close();
            }
        }
        return ended(members);
    }

    /** The loop of {@link SampleRun}, once for every member: the pack steps, each member observes. */
    private static void sample(PackedBackend pack, PackedSampler sampler, List<Member> packed) {
        pack.gradient();   // the samplers' invariant, for every member at once
        Runnable step = () -> sampler.step(pack);
        Interrupts.enter();
        try {
            for (Member mb : packed)
                guard(mb, () -> {
                    mb.looping = true;
                    mb.run.begin(0, false);
                });
            while (true) {
                List<Member> live = packed.stream().filter(m -> m.live() && m.run.more()).toList();
                if (live.isEmpty()) break;
                long b0 = System.nanoTime(), stop = Long.MAX_VALUE;
                for (Member mb : live) stop = Math.min(stop, mb.run.nextStop());
                pack.repeat((int) (stop - pack.step()), step);
                long at = stop;
                for (Member mb : live) guard(mb, () -> mb.run.observe(at, b0));
                // every member checkpoints when one is due, so that their checkpoints stay at one step
                boolean due = false;
                for (Member mb : live) if (mb.live() && mb.run.checkpointDue()) due = true;
                if (due) for (Member mb : live) guard(mb, () -> mb.run.checkpoint());
            }
        } finally {
            for (Member mb : packed) {
                if (!mb.looping) continue;
                try {
                    mb.run.endLoop();
                } catch (RuntimeException ignored) {
                    // the progress display failed on the way out; the run's own outcome stands
                }
            }
            Interrupts.leave();
        }
    }

    /** Runs a member's part; a failure ends that member as it would end the run alone. */
    private static void guard(Member mb, Runnable part) {
        if (!mb.live()) return;
        try {
            part.run();
        } catch (RuntimeException e) {
            mb.fail(mb.run.ended(e));
        }
    }

    private static List<Ended> ended(List<Member> members) {
        List<Ended> out = new ArrayList<>();
        for (Member mb : members) out.add(mb.ended != null ? mb.ended : new Ended(null, new IllegalStateException("did not run")));
        return out;
    }
}
