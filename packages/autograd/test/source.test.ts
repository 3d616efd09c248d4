// The autograd's tests run against @gated/kernels' source (src/*.ts), not its last build (dist).
import { kernels } from "@gated/kernels";
import { describe, expect, it } from "vitest";
import { filesOnStack } from "../src/testing.js";

describe("test set-up", () => {
  it("imports @gated/kernels from packages/kernels/src, not dist", () => {
    const files = filesOnStack(() => kernels.sgemm(false, false, -1, 1, 1, 1, new Float32Array(1), 0, 1, new Float32Array(1), 0, 1, 0, new Float32Array(1), 0, 1));
    expect(files.find((f) => f.includes("packages/kernels/"))).toMatch(/packages\/kernels\/src\/[\w-]+\.ts$/);
  });
});
