pragma circom 2.2.0;

include "poseidon.circom";
include "../commit/tags.circom";

// Number of encoded spec fields (prover/spec/commitment.ts SPEC_FIELDS).
function SPEC_FIELD_COUNT() { return 13; }

// Salted spec commitment: Poseidon(tag, fields[0..12], salt) (DESIGN §3).
// Field order: version, model family (code + 256 * hidden width), inputs, outputs, optimizer kind,
// learning rate (bf16 pattern), batch size, planned steps, checkpoint
// interval, dataset size, dataset root, data seed, init seed.
template SpecCommitment() {
    signal input fields[13];   // canonical encoding of the spec
    signal input salt;         // hiding randomness
    signal output commitment;
    component h = Poseidon(15);
    h.inputs[0] <== TAG_SPEC();
    for (var i = 0; i < 13; i++) {
        h.inputs[i + 1] <== fields[i];
    }
    h.inputs[14] <== salt;
    commitment <== h.out;
}
