// The app layer's tests run against @gated/nn's and @gated/autograd's source (src/*.ts), not their builds.
import { invalidArgument, raise } from "@gated/autograd";
import { filesOnStack } from "@gated/autograd/testing";
import { recurrent } from "@gated/nn";
import { describe, expect, it } from "vitest";

describe("test set-up", () => {
  it("imports @gated/nn and @gated/autograd from their src, not dist", () => {
    const nn = filesOnStack(() => recurrent({}, { mode: "gru", inputSize: 0, hiddenSize: 1 }, undefined as never));
    expect(nn.find((f) => f.includes("packages/nn/"))).toMatch(/packages\/nn\/src\/layers\.ts$/);
    const ag = filesOnStack(() => raise(invalidArgument("probe", "x", "is a probe")));
    expect(ag.find((f) => f.includes("packages/autograd/"))).toMatch(/packages\/autograd\/src\/errors\.ts$/);
  });
});
