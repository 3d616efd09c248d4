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
