// A package's tests run against its siblings' source (src/*.ts), not their last build (dist): editing
// packages/autograd/src and running only this package's tests tests the edit.
import { invalidArgument, raise } from "@gated/autograd";
import { filesOnStack } from "@gated/autograd/testing";
import { describe, expect, it } from "vitest";

describe("test set-up", () => {
  it("imports @gated/autograd from packages/autograd/src, not dist", () => {
    const files = filesOnStack(() => raise(invalidArgument("probe", "x", "is a probe")));
    expect(files.find((f) => f.includes("packages/autograd/"))).toMatch(/packages\/autograd\/src\/errors\.ts$/);
  });
});
