// Test helpers: seeded random tensors, fast-check arbitraries for shapes, and the VJP check against central
// differences in float64.
import fc from "fast-check";

export const dimArb = fc.integer({ min: 1, max: 4 });
export const shapeArb = (minRank = 0, maxRank = 3) => fc.array(dimArb, { minLength: minRank, maxLength: maxRank });

/** A shape that broadcasts to `shape`: some axes set to 1, some leading axes dropped. */
export const broadcastableArb = (shape: readonly number[]) =>
  fc.tuple(fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }), fc.integer({ min: 0, max: shape.length })).map(([ones, drop]) =>
    shape.map((d, i) => ((ones[i] as boolean) ? 1 : d)).slice(drop),
  );

export { expectVjp, rand, randAway, randomValues, TOL } from "../src/testing.js";
