pragma circom 2.2.0;

include "comparators.circom";

// One-hot targets of a class label among O classes: onehot[o] = (label == o).
// The indicators must sum to 1, so the label is one of 0 .. O-1: a label >= O
// (or any other field element) has no satisfying witness (issue #16).
template OneHot(O) {
    signal input label;        // class index, < O (enforced)
    signal output onehot[O];   // 1 at the label, 0 elsewhere

    component eq[O];
    var sum = 0;
    for (var o = 0; o < O; o++) {
        eq[o] = IsEqual();
        eq[o].in <== [label, o];
        onehot[o] <== eq[o].out;
        sum += eq[o].out;
    }
    sum === 1;
}
