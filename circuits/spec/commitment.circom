pragma circom 2.2.0;

include "poseidon.circom";
include "../commit/tags.circom";
include "fields.circom";

// Salted spec commitment: Poseidon(tag, fields..., salt) (DESIGN §3), over the
// canonical encoding in the order of fields.circom (generated from SPEC_FIELDS).
template SpecCommitment() {
    var F = SPEC_FIELD_COUNT();
    signal input fields[F];    // canonical encoding of the spec
    signal input salt;         // hiding randomness
    signal output commitment;
    component h = Poseidon(F + 2);
    h.inputs[0] <== TAG_SPEC();
    for (var i = 0; i < F; i++) {
        h.inputs[i + 1] <== fields[i];
    }
    h.inputs[F + 1] <== salt;
    commitment <== h.out;
}
