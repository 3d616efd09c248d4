import { invalidArgument, raise } from "../errors.js";
import { gatherRows, scatterAddRows } from "../impl/layout.js";
import type { One, Primitive } from "../primitive.js";
import { type Shape, sizeOf } from "../shape.js";

export interface GatherParams {
  readonly indices: Int32Array;
  readonly indexShape: Shape;
}

/**
 * Rows of a table (an embedding lookup): out[..., :] = table[indices[...], :], out shape = indexShape ++
 * table.shape[1:]. d table = g's rows added into the rows they came from (scatter-add); indices have no gradient.
 */
export const gather: Primitive<GatherParams, One> = {
  name: "gather",
  forward: ([table], { indices, indexShape }) => {
    if (table.rank < 1) raise(invalidArgument("gather", "table", "must have at least one axis (rows)"));
    if (sizeOf(indexShape) !== indices.length) raise(invalidArgument("gather", "indices", `hold ${indices.length} values but indexShape has ${sizeOf(indexShape)}`));
    const rows = table.shape[0] as number;
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i] as number;
      if (r < 0 || r >= rows) raise(invalidArgument("gather", "indices", `index ${r} at position ${i} is outside the table's ${rows} rows`));
    }
    return gatherRows(table, indices, indexShape);
  },
  vjp: (g, [table], _out, { indices }) => [scatterAddRows(g, indices, table.shape)],
};
