package org.nnpost.sampler;

import java.util.List;

import org.nnpost.backend.Backend;
import org.nnpost.backend.StepSizes;
import org.nnpost.backend.Underdamping;

/**
 * One algorithm stepping every member of a packed backend ({@link org.nnpost.backend.PackedBackend})
 * at once, each member at its own step sizes (and, for ULD, frictions): the algorithm's step is
 * the one {@link Ula}, {@link Mala} or {@link Uld} write, given one set of constants per member.
 * Member k of the pack moves exactly as {@code members.get(k)} would move it alone.
 *
 * @param members the members' samplers, in the pack's order, all of one algorithm
 */
public record PackedSampler(List<Sampler> members) {

    public PackedSampler {
        members = List.copyOf(members);
        if (members.isEmpty()) throw new IllegalArgumentException("no members");
        for (Sampler s : members)
            if (!s.name().equals(members.get(0).name()))
                throw new IllegalArgumentException("members of one pack run one algorithm: " + members.get(0).name() + " and " + s.name());
    }

    public String name() { return members.get(0).name(); }

    /** Every member's chains one step on. */
    public void step(Backend b) {
        int M = members.size();
        switch (name()) {
            case "ula", "mala" -> {
                StepSizes[] h = new StepSizes[M];
                for (int k = 0; k < M; k++) h[k] = members.get(k).stepSizes();
                if (name().equals("ula")) Ula.step(b, h);
                else Mala.step(b, h);
            }
            case "uld" -> {
                Underdamping[] u = new Underdamping[M];
                for (int k = 0; k < M; k++) u[k] = ((Uld) members.get(k)).underdamping();
                Uld.step(b, u);
            }
            default -> throw new IllegalArgumentException(name());
        }
    }
}
