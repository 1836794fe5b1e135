package org.nnpost.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A training set and a test set over the same inputs' space and classes. */
public record Task(String name, Dataset train, Dataset test) {
    public Task {
        if (train.N0() != test.N0() || train.m() != test.m())
            throw new IllegalArgumentException("train and test sets disagree in N0 or m");
    }

    /**
     * SHA-256 of every number of the task (inputs, labels and targets of both sets, with their
     * shapes), in hex: a resumed run checks that it learns the very data it started on (a dataset
     * file replaced in between would change it).
     */
    public String checksum() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Dataset d : new Dataset[]{train, test}) {
                ByteBuffer b = ByteBuffer.allocate(4 * (3 + d.x().length + d.labels().length + d.y().length));
                b.putInt(d.P()).putInt(d.N0()).putInt(d.m());
                for (float v : d.x()) b.putFloat(v);
                for (int v : d.labels()) b.putInt(v);
                for (float v : d.y()) b.putFloat(v);
                sha.update(b.array());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
