package org.nnpost.data;

/** A training set and a test set over the same inputs' space and classes. */
public record Task(String name, Dataset train, Dataset test) {
    public Task {
        if (train.N0() != test.N0() || train.m() != test.m())
            throw new IllegalArgumentException("train and test sets disagree in N0 or m");
    }
}
