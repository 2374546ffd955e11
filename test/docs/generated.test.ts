/**
 * Generated files stay in step with their owners (scripts/docs.ts): the
 * command reference in docs/commands.md with the commander declarations, and
 * circuits/spec/fields.circom with SPEC_FIELDS. A stale copy fails here with
 * the command that regenerates it.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "mocha";
import { PROJECT_ROOT } from "../../prover/paths.js";
import { SPEC_FIELDS } from "../../prover/spec/commitment.js";
import { circomFieldName } from "../../prover/spec/circom.js";
import { BEGIN, commandReference, END, generatedFiles, PROGRAMS, withReference } from "../../scripts/docs.js";

describe("generated files (npm run generate)", () => {
  it("should match their renderings from the current sources", async () => {
    for (const { file, text } of await generatedFiles((f) => readFile(f, "utf8"))) {
      const committed = await readFile(file, "utf8");
      assert.ok(
        committed === text,
        `${path.relative(PROJECT_ROOT, file)} is stale: run \`npm run generate\` and commit the result`,
      );
    }
  });

  it("should document every command and subcommand with its options", () => {
    const reference = commandReference();
    for (const program of PROGRAMS) {
      for (const cmd of [program, ...program.commands]) {
        assert.ok(reference.includes(`Usage: ${program === cmd ? "" : program.name() + " "}${cmd.name()}`), cmd.name());
        for (const option of cmd.options) assert.ok(reference.includes(option.flags), `${cmd.name()} ${option.flags}`);
      }
    }
  });

  it("should refuse a commands page whose generated section was removed", () => {
    assert.throws(() => withReference("# Commands\n", commandReference()), /no generated section/);
    assert.equal(withReference(`a\n${BEGIN}\nold\n${END}\nb`, "NEW"), "a\nNEW\nb");
  });

  it("should name every spec field in the circom bus, in commitment order", async () => {
    const circom = await readFile(path.join(PROJECT_ROOT, "circuits", "spec", "fields.circom"), "utf8");
    SPEC_FIELDS.forEach((field, i) => {
      assert.ok(circom.includes(`spec.${circomFieldName(field)}`), field);
      assert.match(circom, new RegExp(`spec\\.${circomFieldName(field)}\\s+<== fields\\[${i}\\];`));
    });
    assert.ok(circom.includes(`function SPEC_FIELD_COUNT() { return ${SPEC_FIELDS.length}; }`));
  });
});
