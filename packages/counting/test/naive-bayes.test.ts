import { describe, expect, it } from "vitest";
import { predictNaiveBayes, trainNaiveBayes } from "../src/index.js";

describe("multinomial naive Bayes", () => {
  it("matches a hand-computed example (Manning, Raghavan and Schuetze, IIR section 13.2)", () => {
    const docs = [
      { features: ["Chinese", "Beijing", "Chinese"], label: "c" },
      { features: ["Chinese", "Chinese", "Shanghai"], label: "c" },
      { features: ["Chinese", "Macao"], label: "c" },
      { features: ["Tokyo", "Japan", "Chinese"], label: "j" },
    ];
    const model = trainNaiveBayes(docs);
    // V = 6 features. p(Chinese|c) = (5+1)/(8+6) = 3/7; p(Tokyo|c) = p(Japan|c) = 1/14;
    // p(Chinese|j) = (1+1)/(3+6) = 2/9; p(Tokyo|j) = p(Japan|j) = 2/9.
    const sc = (3 / 4) * (3 / 7) ** 3 * (1 / 14) ** 2;
    const sj = (1 / 4) * (2 / 9) ** 3 * (2 / 9) ** 2;
    const { label, probabilities } = predictNaiveBayes(model, ["Chinese", "Chinese", "Chinese", "Tokyo", "Japan"]);
    expect(label).toBe("c");
    expect(probabilities[0]).toBeCloseTo(sc / (sc + sj), 12);
    expect(Math.exp(model.logLikelihood.get("Chinese")?.[0] as number)).toBeCloseTo(3 / 7, 12);
    expect(model.logPrior.map(Math.exp)).toEqual([3 / 4, 1 / 4].map((v) => expect.closeTo(v, 12)));
    expect(model.classes).toEqual(["c", "j"]);
  });

  it("stays finite when the log scores are far below zero and far apart (a long document)", () => {
    const model = trainNaiveBayes([
      { features: ["good", "good", "good", "fine"], label: "pos" },
      { features: ["bad", "bad", "bad", "fine"], label: "neg" },
    ]);
    // 400 x "good": log scores about -700 and -1,250: exp of either alone underflows to 0.
    // log p(good | pos) - log p(good | neg) = log((3 + 1) / (4 + 3)) - log((0 + 1) / (4 + 3)) = log 4 per word.
    const r = predictNaiveBayes(model, Array.from({ length: 400 }, () => "good"));
    expect(r.label).toBe("pos");
    expect(Math.log(r.probabilities[1] as number) - Math.log(r.probabilities[0] as number)).toBeCloseTo(400 * Math.log(4), 6); // classes sorted: [neg, pos]
    // 800 x "good": the scores are 1,100 apart, so exp of the gap overflows: shift by the largest, not the smallest.
    expect(predictNaiveBayes(model, Array.from({ length: 800 }, () => "good")).probabilities).toEqual([0, 1]);
  });

  it("breaks a tie in favour of the first class (sorted)", () => {
    const model = trainNaiveBayes([
      { features: ["a"], label: "z" },
      { features: ["a"], label: "m" },
    ]);
    expect(predictNaiveBayes(model, ["a"]).label).toBe("m");
  });

  it("refuses no documents and a smoothing alpha that is not positive", () => {
    expect(() => trainNaiveBayes([])).toThrow(/trainNaiveBayes: argument 'docs' must hold at least one document/);
    for (const alpha of [0, -1, Number.NaN]) expect(() => trainNaiveBayes([{ features: ["a"], label: "x" }], { alpha })).toThrow(/trainNaiveBayes: argument 'alpha' must be positive/);
    expect(trainNaiveBayes([{ features: ["a"], label: "x" }], { alpha: 1e-9 }).alpha).toBe(1e-9);
  });

  it("skips features never seen in training and handles any number of classes", () => {
    const model = trainNaiveBayes([
      { features: ["a"], label: "x" },
      { features: ["b"], label: "y" },
      { features: ["c"], label: "z" },
    ]);
    expect(model.classes).toEqual(["x", "y", "z"]);
    const p = predictNaiveBayes(model, ["never", "seen"]).probabilities;
    for (const v of p) expect(v).toBeCloseTo(1 / 3, 12);
    expect(predictNaiveBayes(model, ["b"]).label).toBe("y");
  });
});
