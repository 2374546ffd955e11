pragma circom 2.2.0;

// Domain-separation tags (DESIGN §3): the ASCII bytes of each label read
// big-endian as a field element. Must equal TAGS in prover/commit/poseidon.ts
// (test/commit/commit.test.ts compares them through a compiled circuit).
function TAG_SPEC() { return 0x7674722f737065632f7631; }                      // "vtr/spec/v1"
function TAG_DATASET_LEAF() { return 0x7674722f646174617365742d6c6561662f7631; } // "vtr/dataset-leaf/v1"
function TAG_MERKLE_NODE() { return 0x7674722f6d65726b6c652d6e6f64652f7631; }  // "vtr/merkle-node/v1"
function TAG_SAMPLE() { return 0x7674722f73616d706c652f7632; }                 // "vtr/sample/v2"
function TAG_INIT() { return 0x7674722f696e69742f7631; }                      // "vtr/init/v1"
function TAG_WEIGHTS() { return 0x7674722f776569676874732f7631; }                // "vtr/weights/v1"
function TAG_STEP() { return 0x7674722f737465702f7632; }                      // "vtr/step/v2"
function TAG_ACCUMULATOR() { return 0x7674722f616363756d756c61746f722f7631; }  // "vtr/accumulator/v1"
function TAG_RUN() { return 0x7674722f72756e2f7631; }                        // "vtr/run/v1"
function TAG_TENSOR() { return 0x7674722f74656e736f722f7631; }                 // "vtr/tensor/v1"
function TAG_WIDE_LEAF() { return 0x7674722f776964652d6c6561662f7631; }               // "vtr/wide-leaf/v1"
function TAG_CHUNK() { return 0x7674722f6368756e6b2f7631; }                  // "vtr/chunk/v1"

// Outputs every tag, so a test can compare them with the TypeScript side.
template Tags() {
    signal output spec;
    signal output datasetLeaf;
    signal output merkleNode;
    signal output sample;
    signal output init;
    signal output weights;
    signal output step;
    signal output accumulator;
    signal output run;
    signal output tensor;
    signal output chunk;
    signal output wideLeaf;
    spec <== TAG_SPEC();
    datasetLeaf <== TAG_DATASET_LEAF();
    merkleNode <== TAG_MERKLE_NODE();
    sample <== TAG_SAMPLE();
    init <== TAG_INIT();
    weights <== TAG_WEIGHTS();
    step <== TAG_STEP();
    accumulator <== TAG_ACCUMULATOR();
    run <== TAG_RUN();
    tensor <== TAG_TENSOR();
    chunk <== TAG_CHUNK();
    wideLeaf <== TAG_WIDE_LEAF();
}
